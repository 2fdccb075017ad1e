import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const ESCALATION_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/**
 * An SLA policy (docs/service.md#sla-policies): the tenant's policies are an ordered list; the
 * first active one whose condition (a filter on cases) matches a case gives it first-response and
 * resolution targets in business minutes of its calendar, and what to do on a breach.
 */
export const SLA_POLICY = registry.register({
  name: 'slaPolicy',
  plural: 'sla-policies',
  table: 'sla_policies',
  softDelete: true,
  defaultSort: [{ field: 'position', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'name', type: 'string', nullable: false, description: 'Policy name.' }),
    field({ name: 'description', type: 'text', description: 'What the policy is for.' }),
    field({
      name: 'position',
      type: 'integer',
      nullable: false,
      // set by the service (end of the list, or where asked); changed only through the reorder
      // operation, which renumbers the whole list
      writable: 'create',
      description: 'Place in the evaluation order, 1 = evaluated first.',
    }),
    field({
      name: 'condition',
      type: 'json',
      description: 'Which cases it applies to: a filter on cases (string or JSON AST); null = all.',
    }),
    field({ name: 'calendarId', type: 'uuid', description: 'Business calendar; null = the tenant default.' }),
    field({
      name: 'firstResponseMinutes',
      type: 'integer',
      description: 'First-response target in business minutes.',
    }),
    field({
      name: 'resolutionMinutes',
      type: 'integer',
      description: 'Resolution target in business minutes.',
    }),
    field({
      name: 'pauseOnPending',
      type: 'boolean',
      nullable: false,
      description: 'Whether status pending pauses the resolution clock.',
    }),
    field({
      name: 'pauseOnHold',
      type: 'boolean',
      nullable: false,
      description: 'Whether status onHold pauses the resolution clock.',
    }),
    field({
      name: 'active',
      type: 'boolean',
      nullable: false,
      description: 'Inactive policies are skipped.',
    }),
    field({
      name: 'escalatePriorityTo',
      type: 'enum',
      enumValues: ESCALATION_PRIORITIES,
      description: 'On a breach, raise the case to this priority.',
    }),
    field({
      name: 'escalateQueueId',
      type: 'uuid',
      description: 'On a breach, move the case to this queue.',
    }),
    field({
      name: 'escalateAssigneeId',
      type: 'uuid',
      description: 'On a breach, assign the case to this user.',
    }),
    field({
      name: 'warnBeforeMinutes',
      type: 'integer',
      description: 'A case approaches a breach this many business minutes before a due time.',
    }),
  ],
  relations: [{ kind: 'toOne', name: 'calendar', target: 'businessCalendar', field: 'calendarId' }],
});
