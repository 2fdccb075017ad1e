import { InputType, ObjectType } from '@nestjs/graphql';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { AddressDto, AddressInput } from '../address.dto.js';

const CURRENCY = { pattern: /^[A-Z]{3}$/, patternMessage: 'currency must be an ISO 4217 code such as EUR' };

@ObjectType('Account', { description: 'A company or organisation you do business with.' })
export class AccountDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Company name.', example: 'Acme GmbH' }) name: string;
  @RecordProp({ kind: 'string', nullable: true, description: 'Primary web domain.', example: 'acme.com' })
  domain: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Industry.', example: 'saas' }) industry:
    string | null;
  @RecordProp({ kind: 'int', nullable: true, description: 'Number of employees.' }) employees: number | null;
  @RecordProp({
    kind: 'decimal',
    nullable: true,
    description: 'Annual revenue, a decimal string.',
    example: '1250000.00',
  })
  annualRevenue: string | null;
  @RecordProp({
    kind: 'string',
    nullable: true,
    description: 'ISO 4217 currency of annualRevenue.',
    example: 'EUR',
  })
  currency: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Website URL.' }) website: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Main phone number.' }) phone: string | null;
  @RecordProp({ kind: 'object', objectType: AddressDto, nullable: true, description: 'Billing address.' })
  billingAddress: AddressDto | null;
  @RecordProp({ kind: 'object', objectType: AddressDto, nullable: true, description: 'Shipping address.' })
  shippingAddress: AddressDto | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Parent account.' }) parentAccountId:
    string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Owning user.' }) ownerId: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Your system’s id; unique per tenant.' })
  externalId: string | null;
  @RecordProp({ kind: 'stringArray', description: 'Tags.' }) tags: string[];
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateAccountInput')
export class CreateAccountInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 300,
    description: 'Company name.',
    example: 'Acme GmbH',
  })
  name: string;
  @InputProp({ kind: 'string', maxLength: 253, description: 'Primary web domain.', example: 'acme.com' })
  domain?: string | null;
  @InputProp({ kind: 'string', maxLength: 200, description: 'Industry.', example: 'saas' }) industry?:
    string | null;
  @InputProp({ kind: 'int', min: 0, description: 'Number of employees.' }) employees?: number | null;
  @InputProp({
    kind: 'decimal',
    description: 'Annual revenue as a decimal string; needs currency.',
    example: '1250000.00',
  })
  annualRevenue?: string | null;
  @InputProp({ kind: 'string', ...CURRENCY, description: 'ISO 4217 currency code.', example: 'EUR' })
  currency?: string | null;
  @InputProp({ kind: 'string', maxLength: 2000, description: 'Website URL.' }) website?: string | null;
  @InputProp({ kind: 'string', maxLength: 50, description: 'Main phone number.' }) phone?: string | null;
  @InputProp({ kind: 'object', objectType: AddressInput, description: 'Billing address.' })
  billingAddress?: AddressInput | null;
  @InputProp({ kind: 'object', objectType: AddressInput, description: 'Shipping address.' })
  shippingAddress?: AddressInput | null;
  @InputProp({ kind: 'uuid', description: 'Parent account id.' }) parentAccountId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Owning user id.' }) ownerId?: string | null;
  @InputProp({ kind: 'string', maxLength: 255, description: 'Your system’s id; unique per tenant.' })
  externalId?: string | null;
  @InputProp({ kind: 'stringArray', description: 'Tags.' }) tags?: string[];
}

@InputType('UpdateAccountInput')
export class UpdateAccountInput extends PartialInput(CreateAccountInput) {}
