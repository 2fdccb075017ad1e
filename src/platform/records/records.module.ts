import { Module } from '@nestjs/common';
import { RecordService } from './record.service.js';

/** The generic record layer (its RecordPolicy and FieldPolicy come from the global PolicyModule). */
@Module({ providers: [RecordService], exports: [RecordService] })
export class RecordsModule {}
