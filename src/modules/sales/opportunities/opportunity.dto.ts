import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { FORECAST_CATEGORIES } from './opportunity.object.js';

export const ForecastCategoryEnum = Object.fromEntries(FORECAST_CATEGORIES.map((s) => [s, s]));
registerEnumType(ForecastCategoryEnum, {
  name: 'ForecastCategory',
  description: 'pipeline, bestCase, commit, closed (won) or omitted (lost, or left out of the forecast).',
});
const FORECAST = {
  kind: 'enum' as const,
  enumValues: FORECAST_CATEGORIES,
  graphqlEnum: ForecastCategoryEnum,
};
export const CURRENCY = {
  pattern: /^[A-Z]{3}$/,
  patternMessage: 'currency must be an ISO 4217 code such as EUR',
};

@ObjectType('Opportunity', { description: 'A deal: a potential sale moving through a pipeline’s stages.' })
export class OpportunityDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Deal name.', example: 'Acme — 200 seats' }) name: string;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The account the deal is with.' }) accountId:
    string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The main contact.' }) primaryContactId:
    string | null;
  @RecordProp({ kind: 'uuid', description: 'The pipeline.' }) pipelineId: string;
  @RecordProp({ kind: 'uuid', description: 'The current stage (a stage of the pipeline).' }) stageId: string;
  @RecordProp({
    kind: 'decimal',
    nullable: true,
    description: 'Deal value, a decimal string; the sum of the line items when there are any.',
    example: '48000.00',
  })
  amount: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'ISO 4217 currency of amount.', example: 'EUR' })
  currency: string | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'Expected (or actual) close date.' })
  closeDate: Date | null;
  @RecordProp({ kind: 'int', description: 'Win probability, 0–100.' }) probability: number;
  @RecordProp({ ...FORECAST, description: 'Forecast category.' }) forecastCategory: string;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Owning user.' }) ownerId: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'The next thing to do.' }) nextStep:
    string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Why the deal was lost.' }) lossReason:
    string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Where the deal came from.' }) source:
    string | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'When it was won or lost.' })
  closedAt: Date | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Your system’s id; unique per tenant.' })
  externalId: string | null;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateOpportunityInput')
export class CreateOpportunityInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 300,
    description: 'Deal name.',
    example: 'Acme — 200 seats',
  })
  name: string;
  @InputProp({ kind: 'uuid', description: 'Account id.' }) accountId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Main contact id.' }) primaryContactId?: string | null;
  @InputProp({ kind: 'uuid', required: true, description: 'Pipeline id.' }) pipelineId: string;
  @InputProp({
    kind: 'uuid',
    description: 'Stage id, a stage of the pipeline (default: its first stage).',
  })
  stageId?: string;
  @InputProp({
    kind: 'decimal',
    description:
      'Deal value as a decimal string; needs currency. Refused (409) while the deal has line items.',
    example: '48000.00',
  })
  amount?: string | null;
  @InputProp({ kind: 'string', ...CURRENCY, description: 'ISO 4217 currency code.', example: 'EUR' })
  currency?: string | null;
  @InputProp({
    kind: 'datetime',
    description: 'Expected close date; a date alone (2025-03-31) means midnight UTC.',
    example: '2025-03-31T00:00:00Z',
  })
  closeDate?: string | null;
  @InputProp({
    kind: 'int',
    min: 0,
    max: 100,
    description: 'Win probability 0–100 (default: the stage’s, also whenever the stage changes).',
  })
  probability?: number;
  @InputProp({
    ...FORECAST,
    description:
      'Forecast category (default from the stage: open → pipeline, won → closed, lost → omitted; won and lost stages allow only those).',
  })
  forecastCategory?: string;
  @InputProp({ kind: 'uuid', description: 'Owning user id.' }) ownerId?: string | null;
  @InputProp({ kind: 'string', maxLength: 1000, description: 'The next thing to do.' }) nextStep?:
    string | null;
  @InputProp({
    kind: 'string',
    maxLength: 1000,
    description: 'Why the deal was lost (required in a lost stage).',
  })
  lossReason?: string | null;
  @InputProp({ kind: 'string', maxLength: 200, description: 'Where the deal came from.' }) source?:
    string | null;
  @InputProp({
    kind: 'datetime',
    description:
      'When it was won or lost (default: when it entered a won or lost stage; must be null in an open one).',
  })
  closedAt?: string | null;
  @InputProp({ kind: 'string', maxLength: 255, description: 'Your system’s id; unique per tenant.' })
  externalId?: string | null;
}

@InputType('UpdateOpportunityInput')
export class UpdateOpportunityInput extends PartialInput(CreateOpportunityInput) {}
