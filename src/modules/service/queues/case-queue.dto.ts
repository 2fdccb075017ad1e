import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { InputProp, OutputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';

export const MAX_QUEUE_MEMBERS = 500;

@ObjectType('CaseQueue', { description: 'A queue cases wait in; its members are the agents who work it.' })
export class CaseQueueDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Queue name.', example: 'Tier 1 EMEA' }) name: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'Which cases wait here.' }) description:
    string | null;
  @RecordProp({ kind: 'boolean', description: 'Inactive queues take no routed cases.' }) active: boolean;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateCaseQueueInput')
export class CreateCaseQueueInput {
  @InputProp({ kind: 'string', required: true, maxLength: 200, description: 'Queue name.' }) name: string;
  @InputProp({ kind: 'text', maxLength: 2000, description: 'Which cases wait here.' }) description?:
    string | null;
  @InputProp({ kind: 'boolean', description: 'Whether rules route to it (default true).' }) active?: boolean;
}

@InputType('UpdateCaseQueueInput')
export class UpdateCaseQueueInput extends PartialInput(CreateCaseQueueInput) {}

@ObjectType('CaseQueueMember', { description: 'An agent in a queue’s round-robin.' })
export class CaseQueueMemberDto {
  @OutputProp({ kind: 'uuid', description: 'The user.' }) userId: string;
  @OutputProp({ kind: 'boolean', description: 'Inactive members get no round-robin cases.' }) active: boolean;
  @OutputProp({
    kind: 'int',
    description: 'Tie-break order among members never or equally recently assigned.',
  })
  position: number;
  @OutputProp({ kind: 'datetime', nullable: true, description: 'When round-robin last gave them a case.' })
  lastAssignedAt: Date | null;
}

@InputType('CaseQueueMemberInput')
export class CaseQueueMemberInput {
  @InputProp({ kind: 'uuid', required: true, description: 'An active user of the tenant.' }) userId: string;
  @InputProp({ kind: 'boolean', description: 'Default true.' }) active?: boolean;
}

@InputType('SetCaseQueueMembersInput')
export class SetCaseQueueMembersInput {
  @Field(() => [CaseQueueMemberInput], {
    description: 'The complete member list, in round-robin tie-break order.',
  })
  @ApiProperty({ type: [CaseQueueMemberInput], description: 'The complete member list, in tie-break order.' })
  @IsArray()
  @ArrayMaxSize(MAX_QUEUE_MEMBERS)
  @ValidateNested({ each: true })
  @Type(() => CaseQueueMemberInput)
  members: CaseQueueMemberInput[];
}

export class CaseQueueMemberListDto {
  @ApiProperty({ type: [CaseQueueMemberDto], description: 'The members, in position order.' })
  data: CaseQueueMemberDto[];
}
