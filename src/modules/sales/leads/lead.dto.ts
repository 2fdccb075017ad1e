import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import { InputProp, OutputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { AddressDto, AddressInput } from '../../customers/address.dto.js';
import { CURRENCY } from '../opportunities/opportunity.dto.js';
import { LEAD_RATINGS, LEAD_STATUSES } from './lead.object.js';

export const LeadStatusEnum = Object.fromEntries(LEAD_STATUSES.map((s) => [s, s]));
registerEnumType(LeadStatusEnum, {
  name: 'LeadStatus',
  description: 'new, working, nurturing, qualified, unqualified; converted only through conversion.',
});
export const LeadRatingEnum = Object.fromEntries(LEAD_RATINGS.map((s) => [s, s]));
registerEnumType(LeadRatingEnum, { name: 'LeadRating', description: 'hot, warm or cold.' });
const STATUS = { kind: 'enum' as const, enumValues: LEAD_STATUSES, graphqlEnum: LeadStatusEnum };
/** What a client may set: `converted` comes only from POST /v1/leads/{id}/convert. */
const SETTABLE_STATUSES = LEAD_STATUSES.filter((s) => s !== 'converted');
const RATING = { kind: 'enum' as const, enumValues: LEAD_RATINGS, graphqlEnum: LeadRatingEnum };

@ObjectType('Lead', { description: 'A prospect not yet qualified: a person and their company.' })
export class LeadDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', nullable: true, description: 'Given name.', example: 'Ada' }) firstName:
    string | null;
  @RecordProp({ kind: 'string', description: 'Family name.', example: 'Lovelace' }) lastName: string;
  @RecordProp({ kind: 'string', nullable: true, description: 'Email address.' }) email: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Phone number.' }) phone: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Job title.' }) title: string | null;
  @RecordProp({
    kind: 'string',
    nullable: true,
    description: 'Company name.',
    example: 'Analytical Engines Ltd',
  })
  company: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Company website.' }) website: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Industry.' }) industry: string | null;
  @RecordProp({ kind: 'int', nullable: true, description: 'Number of employees.' }) employees: number | null;
  @RecordProp({ kind: 'object', objectType: AddressDto, nullable: true, description: 'Postal address.' })
  address: AddressDto | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Where the lead came from.' }) source:
    string | null;
  @RecordProp({ ...STATUS, description: 'Status.' }) status: string;
  @RecordProp({ ...RATING, nullable: true, description: 'hot, warm or cold.' }) rating: string | null;
  @RecordProp({ kind: 'int', nullable: true, description: 'Score 0–100.' }) score: number | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Owning user.' }) ownerId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The lead queue it waits in.' }) queueId:
    string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The assignment rule that assigned it.' })
  assignmentRuleId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The account it was converted to.' })
  convertedAccountId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The contact it was converted to.' })
  convertedContactId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The opportunity its conversion created.' })
  convertedOpportunityId: string | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'When it was converted.' })
  convertedAt: Date | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The user who converted it.' }) convertedBy:
    string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Your system’s id; unique per tenant.' })
  externalId: string | null;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateLeadInput')
export class CreateLeadInput {
  @InputProp({ kind: 'string', maxLength: 200, description: 'Given name.', example: 'Ada' }) firstName?:
    string | null;
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 200,
    description: 'Family name.',
    example: 'Lovelace',
  })
  lastName: string;
  @InputProp({ kind: 'string', email: true, maxLength: 320, description: 'Email address.' }) email?:
    string | null;
  @InputProp({ kind: 'string', maxLength: 50, description: 'Phone number.' }) phone?: string | null;
  @InputProp({ kind: 'string', maxLength: 200, description: 'Job title.' }) title?: string | null;
  @InputProp({ kind: 'string', maxLength: 300, description: 'Company name.' }) company?: string | null;
  @InputProp({
    kind: 'string',
    maxLength: 2000,
    description: 'Company website.',
    example: 'https://acme.com',
  })
  website?: string | null;
  @InputProp({ kind: 'string', maxLength: 200, description: 'Industry.' }) industry?: string | null;
  @InputProp({ kind: 'int', min: 0, description: 'Number of employees.' }) employees?: number | null;
  @InputProp({ kind: 'object', objectType: AddressInput, description: 'Postal address.' })
  address?: AddressInput | null;
  @InputProp({ kind: 'string', maxLength: 200, description: 'Where the lead came from.' }) source?:
    string | null;
  @InputProp({
    kind: 'enum',
    enumValues: SETTABLE_STATUSES,
    graphqlEnum: LeadStatusEnum,
    description: 'Status (default new); converted only through conversion.',
  })
  status?: string;
  @InputProp({ ...RATING, description: 'hot, warm or cold.' }) rating?: string | null;
  @InputProp({ kind: 'int', min: 0, max: 100, description: 'Score 0–100.' }) score?: number | null;
  @InputProp({
    kind: 'uuid',
    description: 'Owning user id. Without it the assignment rules choose the owner (or queue).',
  })
  ownerId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Lead queue id.' }) queueId?: string | null;
  @InputProp({ kind: 'string', maxLength: 255, description: 'Your system’s id; unique per tenant.' })
  externalId?: string | null;
}

@InputType('UpdateLeadInput')
export class UpdateLeadInput extends PartialInput(CreateLeadInput) {}

@InputType('ConvertLeadOpportunityInput')
export class ConvertLeadOpportunityInput {
  @InputProp({ kind: 'string', maxLength: 300, description: 'Deal name (default: the account’s name).' })
  name?: string;
  @InputProp({ kind: 'uuid', required: true, description: 'Pipeline id.' }) pipelineId: string;
  @InputProp({ kind: 'uuid', description: 'Stage id (default: the pipeline’s first stage).' })
  stageId?: string;
  @InputProp({ kind: 'decimal', description: 'Deal value; needs currency.' }) amount?: string;
  @InputProp({ kind: 'string', ...CURRENCY, description: 'ISO 4217 currency code.' }) currency?: string;
  @InputProp({ kind: 'datetime', description: 'Expected close date.' }) closeDate?: string;
}

@InputType('ConvertLeadInput')
export class ConvertLeadInput {
  @InputProp({
    kind: 'uuid',
    description:
      'Link this existing account. Default: the oldest visible account whose domain (or website host) is the lead’s website host or email domain, else a new account.',
  })
  accountId?: string;
  @InputProp({
    kind: 'uuid',
    description: 'Link this existing contact. Default: a new contact at the account.',
  })
  contactId?: string;
  @Field(() => ConvertLeadOpportunityInput, { nullable: true, description: 'Also create an opportunity.' })
  @ApiPropertyOptional({ type: ConvertLeadOpportunityInput, description: 'Also create an opportunity.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConvertLeadOpportunityInput)
  opportunity?: ConvertLeadOpportunityInput;
}

@ObjectType('LeadConversion', { description: 'What a lead became.' })
export class LeadConversionDto {
  @Field(() => LeadDto, { description: 'The lead, now converted and read-only.' })
  @ApiProperty({ type: LeadDto, description: 'The lead, now converted and read-only.' })
  lead: LeadDto;
  @OutputProp({ kind: 'uuid', description: 'The account (linked or created).' }) accountId: string;
  @OutputProp({ kind: 'boolean', description: 'Whether the account was created by the conversion.' })
  accountCreated: boolean;
  @OutputProp({ kind: 'uuid', description: 'The contact (linked or created).' }) contactId: string;
  @OutputProp({ kind: 'boolean', description: 'Whether the contact was created by the conversion.' })
  contactCreated: boolean;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The opportunity created, if one was asked for.' })
  opportunityId: string | null;
}
