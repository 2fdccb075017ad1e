import { Field, Float, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';

const quantityRules = [
  IsNumber(
    { maxDecimalPlaces: 4, allowNaN: false, allowInfinity: false },
    { message: 'quantity must be a number with at most 4 decimals' },
  ),
  Min(0.0001, { message: 'quantity must be greater than 0' }),
  Max(99_999_999_999_999, { message: 'quantity is too large' }),
];
const discountRules = [
  IsNumber(
    { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false },
    { message: 'discountPercent must be a number with at most 2 decimals' },
  ),
  Min(0, { message: 'discountPercent must be between 0 and 100' }),
  Max(100, { message: 'discountPercent must be between 0 and 100' }),
];
const apply =
  (rules: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const rule of rules) rule(target, key);
  };

@ObjectType('OpportunityLineItem', {
  description: 'A product on an opportunity, with quantity, price and discount.',
})
export class LineItemDto {
  @OutputProp({ kind: 'uuid', description: 'Line item id.' }) id: string;
  @OutputProp({ kind: 'uuid', description: 'The opportunity.' }) opportunityId: string;
  @OutputProp({ kind: 'uuid', description: 'The product.' }) productId: string;
  @OutputProp({ kind: 'string', description: 'The product’s name (current).' }) productName: string;
  @OutputProp({ kind: 'string', description: 'The product’s SKU (current).' }) sku: string;
  @Field(() => Float, { description: 'Quantity, greater than 0 (up to 4 decimals).' })
  @ApiProperty({ type: 'number', description: 'Quantity, greater than 0 (up to 4 decimals).', example: 10 })
  quantity: number;
  @OutputProp({ kind: 'decimal', description: 'Price per unit, a decimal string.', example: '1200.00' })
  unitPrice: string;
  @Field(() => Float, { description: 'Discount in percent, 0–100.' })
  @ApiProperty({ type: 'number', description: 'Discount in percent, 0–100.', example: 10 })
  discountPercent: number;
  @OutputProp({
    kind: 'decimal',
    description: 'quantity × unitPrice × (1 − discountPercent/100), rounded to cents.',
    example: '10800.00',
  })
  total: string;
  @OutputProp({ kind: 'string', description: 'ISO 4217 currency (the opportunity’s).', example: 'EUR' })
  currency: string;
  @OutputProp({ kind: 'string', nullable: true, description: 'Notes on the line.' }) description:
    string | null;
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @OutputProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @OutputProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

/** What add and update share. */
@InputType({ isAbstract: true })
export class LineItemFieldsInput {
  @InputProp({ kind: 'decimal', description: 'Price per unit, a decimal string (default: the product’s).' })
  unitPrice?: string;
  @Field(() => Float, { nullable: true, description: 'Discount in percent, 0–100 (default 0).' })
  @ApiPropertyOptional({ type: 'number', description: 'Discount in percent, 0–100 (default 0).' })
  @IsOptional()
  @apply(discountRules)
  discountPercent?: number;
  @InputProp({ kind: 'string', maxLength: 1000, description: 'Notes on the line.' }) description?:
    string | null;
}

@InputType('UpdateLineItemInput')
export class UpdateLineItemInput extends LineItemFieldsInput {
  @Field(() => Float, { nullable: true, description: 'Quantity, greater than 0 (up to 4 decimals).' })
  @ApiPropertyOptional({ type: 'number', description: 'Quantity, greater than 0 (up to 4 decimals).' })
  @IsOptional()
  @apply(quantityRules)
  quantity?: number;
}

@InputType('AddLineItemInput')
export class AddLineItemInput extends LineItemFieldsInput {
  @InputProp({
    kind: 'uuid',
    required: true,
    description: 'The product (active, in the opportunity’s currency).',
  })
  productId: string;
  @Field(() => Float, { description: 'Quantity, greater than 0 (up to 4 decimals).' })
  @ApiProperty({ type: 'number', description: 'Quantity, greater than 0 (up to 4 decimals).', example: 10 })
  @apply(quantityRules)
  quantity: number;
}

export class LineItemListDto {
  @ApiProperty({ type: [LineItemDto], description: 'The line items, in the order they were added.' })
  data: LineItemDto[];
}
