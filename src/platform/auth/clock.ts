import { Injectable } from '@nestjs/common';

/**
 * The time as authentication rules see it (login throttling). A provider rather than Date.now()
 * so that tests can move time forward instead of sleeping through a lockout.
 */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
