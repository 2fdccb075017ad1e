import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const PRODUCT = registry.register({
  name: 'product',
  plural: 'products',
  table: 'products',
  searchColumn: 'search',
  searchFields: ['sku', 'name'],
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({
      name: 'sku',
      type: 'string',
      nullable: false,
      description: 'Stock-keeping unit; unique per tenant.',
    }),
    field({ name: 'name', type: 'string', nullable: false, description: 'Product name.' }),
    field({ name: 'description', type: 'text', description: 'Description.' }),
    field({ name: 'unitPrice', type: 'decimal', nullable: false, description: 'List price per unit.' }),
    field({ name: 'currency', type: 'string', nullable: false, description: 'ISO 4217 code of unitPrice.' }),
    field({
      name: 'active',
      type: 'boolean',
      nullable: false,
      description: 'Whether it can be added to opportunities.',
    }),
  ],
  relations: [],
});
