import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const ACCOUNT = registry.register({
  name: 'account',
  plural: 'accounts',
  table: 'accounts',
  searchColumn: 'search',
  searchFields: ['name', 'domain', 'industry', 'website'],
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'name', type: 'string', nullable: false, description: 'Company name.' }),
    field({ name: 'domain', type: 'string', description: 'Primary web domain, e.g. acme.com.' }),
    field({ name: 'industry', type: 'string', description: 'Industry, free text or your own picklist.' }),
    field({ name: 'employees', type: 'integer', description: 'Number of employees.' }),
    field({
      name: 'annualRevenue',
      type: 'decimal',
      description: 'Annual revenue as a decimal string; needs currency.',
    }),
    field({ name: 'currency', type: 'string', description: 'ISO 4217 code of annualRevenue.' }),
    field({ name: 'website', type: 'string', description: 'Website URL.' }),
    field({ name: 'phone', type: 'string', description: 'Main phone number.' }),
    field({ name: 'billingAddress', type: 'json', description: 'Billing address.' }),
    field({ name: 'shippingAddress', type: 'json', description: 'Shipping address.' }),
    field({ name: 'parentAccountId', type: 'uuid', description: 'Parent account, for hierarchies.' }),
    field({ name: 'ownerId', type: 'uuid', description: 'Owning user.' }),
    field({ name: 'externalId', type: 'string', description: 'Your system’s id; unique per tenant.' }),
    field({ name: 'tags', type: 'stringArray', nullable: false, description: 'Free-form tags.' }),
  ],
  relations: [
    { kind: 'toOne', name: 'parentAccount', target: 'account', field: 'parentAccountId' },
    { kind: 'toMany', name: 'contacts', target: 'contact', foreignField: 'accountId' },
    { kind: 'toMany', name: 'activities', target: 'activity', foreignField: 'accountId' },
    { kind: 'toMany', name: 'childAccounts', target: 'account', foreignField: 'parentAccountId' },
    // the sales module's deals with this account (modules/sales)
    { kind: 'toMany', name: 'opportunities', target: 'opportunity', foreignField: 'accountId' },
  ],
});
