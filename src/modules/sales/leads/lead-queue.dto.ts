import { InputType, ObjectType } from '@nestjs/graphql';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';

@ObjectType('LeadQueue', { description: 'A named queue leads can wait in until someone takes them.' })
export class LeadQueueDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Queue name.', example: 'Inbound EMEA' }) name: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'Which leads wait here.' }) description:
    string | null;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateLeadQueueInput')
export class CreateLeadQueueInput {
  @InputProp({ kind: 'string', required: true, maxLength: 200, description: 'Queue name.' }) name: string;
  @InputProp({ kind: 'text', maxLength: 2000, description: 'Which leads wait here.' }) description?:
    string | null;
}

@InputType('UpdateLeadQueueInput')
export class UpdateLeadQueueInput extends PartialInput(CreateLeadQueueInput) {}
