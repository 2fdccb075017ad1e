import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

/**
 * A business-hours calendar (docs/service.md#business-hours): a time zone, weekly hours and
 * holidays, checked by business-time.ts on every write. At most one live calendar per tenant is
 * the default (setting isDefault moves the flag); it serves SLA policies without a calendar.
 */
export const BUSINESS_CALENDAR = registry.register({
  name: 'businessCalendar',
  plural: 'business-calendars',
  table: 'business_calendars',
  softDelete: true,
  defaultSort: [{ field: 'name', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'name', type: 'string', nullable: false, description: 'Calendar name.' }),
    field({ name: 'description', type: 'text', description: 'What the calendar is for.' }),
    field({
      name: 'timeZone',
      type: 'string',
      nullable: false,
      description: 'IANA time zone of the weekly hours and holidays, e.g. Europe/Berlin.',
    }),
    field({
      name: 'weeklyHours',
      type: 'json',
      nullable: false,
      description: "Open intervals per weekday: { mon: [{ start: '09:00', end: '17:00' }], … }.",
    }),
    field({
      name: 'holidays',
      type: 'json',
      nullable: false,
      description: "Local dates 'YYYY-MM-DD' on which no interval starts.",
    }),
    field({
      name: 'isDefault',
      type: 'boolean',
      nullable: false,
      description: 'The tenant’s default calendar (at most one).',
    }),
  ],
  relations: [{ kind: 'toMany', name: 'slaPolicies', target: 'slaPolicy', foreignField: 'calendarId' }],
});
