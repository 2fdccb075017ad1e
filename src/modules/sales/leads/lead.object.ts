import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const LEAD_STATUSES = [
  'new',
  'working',
  'nurturing',
  'qualified',
  'unqualified',
  'converted',
] as const;
export const LEAD_RATINGS = ['hot', 'warm', 'cold'] as const;

export const LEAD = registry.register({
  name: 'lead',
  plural: 'leads',
  table: 'leads',
  searchColumn: 'search',
  searchFields: ['firstName', 'lastName', 'email', 'company'],
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'firstName', type: 'string', personal: true, description: 'Given name.' }),
    field({ name: 'lastName', type: 'string', nullable: false, personal: true, description: 'Family name.' }),
    field({ name: 'email', type: 'string', personal: true, description: 'Email address.' }),
    field({ name: 'phone', type: 'string', personal: true, description: 'Phone number.' }),
    field({ name: 'title', type: 'string', description: 'Job title.' }),
    field({ name: 'company', type: 'string', description: 'Company name.' }),
    field({ name: 'website', type: 'string', description: 'Company website.' }),
    field({ name: 'industry', type: 'string', description: 'Industry.' }),
    field({ name: 'employees', type: 'integer', description: 'Number of employees.' }),
    field({ name: 'address', type: 'json', personal: true, description: 'Postal address.' }),
    field({ name: 'source', type: 'string', description: 'Where the lead came from.' }),
    field({
      name: 'status',
      type: 'enum',
      enumValues: LEAD_STATUSES,
      nullable: false,
      description: 'new, working, nurturing, qualified, unqualified, or converted (by conversion only).',
    }),
    field({ name: 'rating', type: 'enum', enumValues: LEAD_RATINGS, description: 'hot, warm or cold.' }),
    field({ name: 'score', type: 'integer', description: 'Score 0–100.' }),
    field({ name: 'ownerId', type: 'uuid', description: 'Owning user.' }),
    field({ name: 'queueId', type: 'uuid', description: 'The lead queue it waits in.' }),
    field({
      name: 'assignmentRuleId',
      type: 'uuid',
      writable: 'never',
      description: 'The assignment rule that assigned it, if one did.',
    }),
    field({
      name: 'convertedAccountId',
      type: 'uuid',
      writable: 'never',
      description: 'The account the lead was converted to.',
    }),
    field({
      name: 'convertedContactId',
      type: 'uuid',
      writable: 'never',
      description: 'The contact the lead was converted to.',
    }),
    field({
      name: 'convertedOpportunityId',
      type: 'uuid',
      writable: 'never',
      description: 'The opportunity created by the conversion, if any.',
    }),
    field({
      name: 'convertedAt',
      type: 'datetime',
      writable: 'never',
      description: 'When it was converted.',
    }),
    field({
      name: 'convertedBy',
      type: 'uuid',
      writable: 'never',
      description: 'The user who converted it.',
    }),
    field({ name: 'externalId', type: 'string', description: 'Your system’s id; unique per tenant.' }),
  ],
  relations: [
    { kind: 'toOne', name: 'queue', target: 'leadQueue', field: 'queueId' },
    { kind: 'toOne', name: 'convertedAccount', target: 'account', field: 'convertedAccountId' },
    { kind: 'toOne', name: 'convertedContact', target: 'contact', field: 'convertedContactId' },
    { kind: 'toOne', name: 'convertedOpportunity', target: 'opportunity', field: 'convertedOpportunityId' },
    { kind: 'toMany', name: 'activities', target: 'activity', foreignField: 'leadId' },
  ],
});

export const LEAD_QUEUE = registry.register({
  name: 'leadQueue',
  plural: 'lead-queues',
  table: 'lead_queues',
  softDelete: true,
  defaultSort: [{ field: 'name', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'name', type: 'string', nullable: false, description: 'Queue name.' }),
    field({ name: 'description', type: 'text', description: 'Which leads wait here.' }),
  ],
  relations: [{ kind: 'toMany', name: 'leads', target: 'lead', foreignField: 'queueId' }],
});
