import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const FORECAST_CATEGORIES = ['pipeline', 'bestCase', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export const CONTACT_ROLES = [
  'decisionMaker',
  'champion',
  'influencer',
  'evaluator',
  'economicBuyer',
  'user',
  'other',
] as const;

export const OPPORTUNITY = registry.register({
  name: 'opportunity',
  plural: 'opportunities',
  table: 'opportunities',
  searchColumn: 'search',
  searchFields: ['name', 'nextStep'],
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'name', type: 'string', nullable: false, description: 'Deal name.' }),
    field({ name: 'accountId', type: 'uuid', description: 'The account the deal is with.' }),
    field({ name: 'primaryContactId', type: 'uuid', description: 'The main contact of the deal.' }),
    field({ name: 'pipelineId', type: 'uuid', nullable: false, description: 'The pipeline.' }),
    field({
      name: 'stageId',
      type: 'uuid',
      nullable: false,
      description: 'The current stage; a stage of the pipeline.',
    }),
    field({
      name: 'amount',
      type: 'decimal',
      description: 'Deal value as a decimal string; the sum of the line items when there are any.',
    }),
    field({ name: 'currency', type: 'string', description: 'ISO 4217 code of amount.' }),
    field({ name: 'closeDate', type: 'datetime', description: 'Expected (or actual) close date.' }),
    field({
      name: 'probability',
      type: 'integer',
      nullable: false,
      description: 'Win probability 0–100; defaults from the stage.',
    }),
    field({
      name: 'forecastCategory',
      type: 'enum',
      enumValues: FORECAST_CATEGORIES,
      nullable: false,
      description: 'Forecast category; defaults from the stage category.',
    }),
    field({ name: 'ownerId', type: 'uuid', description: 'Owning user.' }),
    field({ name: 'nextStep', type: 'string', description: 'The next thing to do.' }),
    field({ name: 'lossReason', type: 'string', description: 'Why the deal was lost (required when lost).' }),
    field({ name: 'source', type: 'string', description: 'Where the deal came from.' }),
    field({ name: 'closedAt', type: 'datetime', description: 'When the deal was won or lost.' }),
    field({ name: 'externalId', type: 'string', description: 'Your system’s id; unique per tenant.' }),
  ],
  relations: [
    { kind: 'toOne', name: 'account', target: 'account', field: 'accountId' },
    { kind: 'toOne', name: 'primaryContact', target: 'contact', field: 'primaryContactId' },
    { kind: 'toOne', name: 'pipeline', target: 'pipeline', field: 'pipelineId' },
    { kind: 'toOne', name: 'stage', target: 'stage', field: 'stageId' },
    { kind: 'toMany', name: 'activities', target: 'activity', foreignField: 'opportunityId' },
  ],
});
