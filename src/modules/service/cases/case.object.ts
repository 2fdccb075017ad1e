import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const CASE_STATUSES = ['new', 'open', 'pending', 'onHold', 'solved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type CasePriority = (typeof CASE_PRIORITIES)[number];
export const CASE_CHANNELS = ['email', 'phone', 'web', 'chat', 'social'] as const;

/**
 * A support case (docs/service.md#cases). Record-level security: the case's owner is its
 * assignee — `ownerId` is declared over the `assignee_id` column, read-only, so the owner,
 * role-hierarchy and share rules of RecordPolicy apply to whoever works the case; everything else
 * is the org-wide default of `cases`.
 */
export const CASE = registry.register({
  name: 'case',
  plural: 'cases',
  table: 'cases',
  searchColumn: 'search',
  searchFields: ['number', 'subject', 'description'],
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({
      name: 'number',
      type: 'string',
      nullable: false,
      writable: 'never',
      description: 'Human-readable number, gap-free per tenant (CS-000123).',
    }),
    field({ name: 'subject', type: 'string', nullable: false, description: 'Subject line.' }),
    field({ name: 'description', type: 'text', description: 'What the customer reported.' }),
    field({
      name: 'status',
      type: 'enum',
      enumValues: CASE_STATUSES,
      nullable: false,
      description: 'new, open, pending, onHold, solved or closed (lifecycle enforced).',
    }),
    field({
      name: 'priority',
      type: 'enum',
      enumValues: CASE_PRIORITIES,
      nullable: false,
      description: 'low, normal, high or urgent.',
    }),
    field({ name: 'channel', type: 'enum', enumValues: CASE_CHANNELS, description: 'How it came in.' }),
    field({ name: 'contactId', type: 'uuid', description: 'The customer contact.' }),
    field({ name: 'accountId', type: 'uuid', description: 'The customer account.' }),
    field({ name: 'queueId', type: 'uuid', description: 'The queue it waits in.' }),
    field({ name: 'assigneeId', type: 'uuid', description: 'The agent working it.' }),
    field({
      name: 'ownerId',
      column: 'assignee_id',
      type: 'uuid',
      writable: 'never',
      description: 'Record owner for record-level security: always the assignee.',
    }),
    field({ name: 'tags', type: 'stringArray', nullable: false, description: 'Free-form tags.' }),
    field({ name: 'externalId', type: 'string', description: 'Your system’s id; unique per tenant.' }),
    field({
      name: 'slaPolicyId',
      type: 'uuid',
      writable: 'never',
      description: 'The SLA policy that matched the case.',
    }),
    field({
      name: 'firstResponseDueAt',
      type: 'datetime',
      writable: 'never',
      description: 'When the first public agent reply is due (business time).',
    }),
    field({
      name: 'resolutionDueAt',
      type: 'datetime',
      writable: 'never',
      description: 'When resolution is due (business time); null while the clock is paused or stopped.',
    }),
    field({
      name: 'firstRespondedAt',
      type: 'datetime',
      writable: 'never',
      description: 'When an agent first replied publicly.',
    }),
    field({ name: 'resolvedAt', type: 'datetime', writable: 'never', description: 'When it was solved.' }),
    field({ name: 'closedAt', type: 'datetime', writable: 'never', description: 'When it was closed.' }),
    field({
      name: 'firstResponseBreached',
      type: 'boolean',
      nullable: false,
      writable: 'never',
      description: 'The first response came (or is still missing) after its due time.',
    }),
    field({
      name: 'resolutionBreached',
      type: 'boolean',
      nullable: false,
      writable: 'never',
      description: 'Resolution came (or is still missing) after its due time.',
    }),
    field({
      name: 'slaPausedAt',
      column: 'paused_at',
      type: 'datetime',
      writable: 'never',
      description: 'Since when the resolution clock is paused (pending / onHold), if it is.',
    }),
    field({
      name: 'resolutionElapsedMinutes',
      type: 'decimal',
      nullable: false,
      writable: 'never',
      description: 'Business minutes the resolution clock ran before its current run.',
    }),
    field({
      name: 'businessFirstResponseMinutes',
      type: 'decimal',
      writable: 'never',
      description: 'Business minutes from creation to the first response.',
    }),
    field({
      name: 'businessResolutionMinutes',
      type: 'decimal',
      writable: 'never',
      description: 'Business minutes the resolution clock ran until solved (pauses excluded).',
    }),
    field({
      name: 'csatScore',
      type: 'integer',
      writable: 'never',
      description: 'Customer satisfaction 1–5 (PUT …/csat).',
    }),
    field({ name: 'csatComment', type: 'text', writable: 'never', description: 'The customer’s comment.' }),
    field({ name: 'csatAt', type: 'datetime', writable: 'never', description: 'When CSAT was given.' }),
  ],
  relations: [
    { kind: 'toOne', name: 'contact', target: 'contact', field: 'contactId' },
    { kind: 'toOne', name: 'account', target: 'account', field: 'accountId' },
    { kind: 'toOne', name: 'queue', target: 'caseQueue', field: 'queueId' },
  ],
});

export const CASE_QUEUE = registry.register({
  name: 'caseQueue',
  plural: 'case-queues',
  table: 'case_queues',
  softDelete: true,
  defaultSort: [{ field: 'name', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'name', type: 'string', nullable: false, description: 'Queue name.' }),
    field({ name: 'description', type: 'text', description: 'Which cases wait here.' }),
    field({ name: 'active', type: 'boolean', nullable: false, description: 'Whether rules route to it.' }),
  ],
  relations: [{ kind: 'toMany', name: 'cases', target: 'case', foreignField: 'queueId' }],
});
