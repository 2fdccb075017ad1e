import { Injectable } from '@nestjs/common';

@Injectable()
export class BootstrapService {
  async ensureDefaults(): Promise<void> {}
}
