import { InputType, ObjectType } from '@nestjs/graphql';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { CURRENCY } from '../opportunities/opportunity.dto.js';

@ObjectType('Product', { description: 'Something you sell, with its list price.' })
export class ProductDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Stock-keeping unit; unique per tenant.', example: 'SEAT-PRO' })
  sku: string;
  @RecordProp({ kind: 'string', description: 'Product name.', example: 'Pro seat (yearly)' }) name: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'Description.' }) description: string | null;
  @RecordProp({ kind: 'decimal', description: 'List price per unit, a decimal string.', example: '240.00' })
  unitPrice: string;
  @RecordProp({ kind: 'string', description: 'ISO 4217 currency of unitPrice.', example: 'EUR' })
  currency: string;
  @RecordProp({ kind: 'boolean', description: 'Whether it can be added to opportunities.' }) active: boolean;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateProductInput')
export class CreateProductInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 100,
    description: 'Stock-keeping unit; unique per tenant (a duplicate is a 409).',
    example: 'SEAT-PRO',
  })
  sku: string;
  @InputProp({ kind: 'string', required: true, maxLength: 300, description: 'Product name.' }) name: string;
  @InputProp({ kind: 'text', maxLength: 10_000, description: 'Description.' }) description?: string | null;
  @InputProp({ kind: 'decimal', required: true, description: 'List price per unit.', example: '240.00' })
  unitPrice: string;
  @InputProp({
    kind: 'string',
    required: true,
    ...CURRENCY,
    description: 'ISO 4217 currency code.',
    example: 'EUR',
  })
  currency: string;
  @InputProp({ kind: 'boolean', description: 'Whether it can be added to opportunities (default true).' })
  active?: boolean;
}

@InputType('UpdateProductInput')
export class UpdateProductInput extends PartialInput(CreateProductInput) {}
