import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingQualified',
  'salesQualified',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

export const CONTACT = registry.register({
  name: 'contact',
  plural: 'contacts',
  table: 'contacts',
  searchColumn: 'search',
  searchFields: ['firstName', 'lastName', 'email', 'title'],
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'firstName', type: 'string', personal: true, description: 'Given name.' }),
    field({ name: 'lastName', type: 'string', nullable: false, personal: true, description: 'Family name.' }),
    field({ name: 'email', type: 'string', personal: true, description: 'Email address.' }),
    field({ name: 'phone', type: 'string', personal: true, description: 'Phone number.' }),
    field({ name: 'title', type: 'string', description: 'Job title.' }),
    field({ name: 'accountId', type: 'uuid', description: 'The account this contact works for.' }),
    field({ name: 'ownerId', type: 'uuid', description: 'Owning user.' }),
    field({
      name: 'lifecycleStage',
      type: 'enum',
      enumValues: LIFECYCLE_STAGES,
      description: 'Where the contact is in the customer lifecycle.',
    }),
    field({ name: 'leadSource', type: 'string', description: 'Where the contact came from.' }),
    field({
      name: 'doNotContact',
      type: 'boolean',
      nullable: false,
      description: 'Do not contact this person.',
    }),
    field({ name: 'address', type: 'json', personal: true, description: 'Postal address.' }),
    field({ name: 'externalId', type: 'string', description: 'Your system’s id; unique per tenant.' }),
    field({ name: 'tags', type: 'stringArray', nullable: false, description: 'Free-form tags.' }),
  ],
  relations: [
    { kind: 'toOne', name: 'account', target: 'account', field: 'accountId' },
    { kind: 'toMany', name: 'activities', target: 'activity', foreignField: 'contactId' },
  ],
});
