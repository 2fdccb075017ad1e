import { Injectable } from '@nestjs/common';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import { CONTACT } from './contact.object.js';

@Injectable()
export class ContactsService extends ObjectService {
  constructor(records: RecordService) {
    super(records, CONTACT);
  }
}
