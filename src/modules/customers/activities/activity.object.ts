import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note', 'task'] as const;
export const ACTIVITY_STATUSES = ['open', 'completed', 'cancelled'] as const;

export const ACTIVITY = registry.register({
  name: 'activity',
  plural: 'activities',
  table: 'activities',
  searchColumn: 'search',
  searchFields: ['subject', 'body'],
  softDelete: true,
  defaultSort: [{ field: 'occurredAt', direction: 'desc' }],
  fields: [
    ...systemFields(),
    field({
      name: 'type',
      type: 'enum',
      enumValues: ACTIVITY_TYPES,
      nullable: false,
      description: 'Kind of activity.',
    }),
    field({ name: 'subject', type: 'string', nullable: false, description: 'One-line summary.' }),
    field({ name: 'body', type: 'text', personal: true, description: 'Notes, email body or description.' }),
    field({
      name: 'occurredAt',
      type: 'datetime',
      nullable: false,
      description: 'When it happened (or is planned).',
    }),
    field({ name: 'dueAt', type: 'datetime', description: 'Due time, for tasks.' }),
    field({
      name: 'status',
      type: 'enum',
      enumValues: ACTIVITY_STATUSES,
      nullable: false,
      description: 'open, completed or cancelled.',
    }),
    field({ name: 'ownerId', type: 'uuid', description: 'Owning user.' }),
    field({ name: 'accountId', type: 'uuid', description: 'Linked account.' }),
    field({ name: 'contactId', type: 'uuid', description: 'Linked contact.' }),
    field({ name: 'leadId', type: 'uuid', description: 'Linked lead.' }),
    field({ name: 'opportunityId', type: 'uuid', description: 'Linked opportunity.' }),
    field({ name: 'externalId', type: 'string', description: 'Your system’s id; unique per tenant.' }),
  ],
  relations: [
    { kind: 'toOne', name: 'account', target: 'account', field: 'accountId' },
    { kind: 'toOne', name: 'contact', target: 'contact', field: 'contactId' },
    // the sales module's objects (modules/sales), named here because the link is the activity's
    { kind: 'toOne', name: 'lead', target: 'lead', field: 'leadId' },
    { kind: 'toOne', name: 'opportunity', target: 'opportunity', field: 'opportunityId' },
  ],
});
