import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { AddressDto, AddressInput } from '../address.dto.js';
import { LIFECYCLE_STAGES } from './contact.object.js';

export const LifecycleStage = Object.fromEntries(LIFECYCLE_STAGES.map((s) => [s, s]));
registerEnumType(LifecycleStage, {
  name: 'LifecycleStage',
  description: 'Where a contact is in the customer lifecycle.',
});
const STAGE = { kind: 'enum' as const, enumValues: LIFECYCLE_STAGES, graphqlEnum: LifecycleStage };

@ObjectType('Contact', { description: 'A person you deal with, usually at an account.' })
export class ContactDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', nullable: true, description: 'Given name.', example: 'Ada' }) firstName:
    string | null;
  @RecordProp({ kind: 'string', description: 'Family name.', example: 'Lovelace' }) lastName: string;
  @RecordProp({ kind: 'string', nullable: true, description: 'Email address.', example: 'ada@acme.com' })
  email: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Phone number.' }) phone: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Job title.' }) title: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Account the contact works for.' }) accountId:
    string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Owning user.' }) ownerId: string | null;
  @RecordProp({ ...STAGE, nullable: true, description: 'Lifecycle stage.' }) lifecycleStage: string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Where the contact came from.' }) leadSource:
    string | null;
  @RecordProp({ kind: 'boolean', description: 'Do not contact this person.' }) doNotContact: boolean;
  @RecordProp({ kind: 'object', objectType: AddressDto, nullable: true, description: 'Postal address.' })
  address: AddressDto | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Your system’s id; unique per tenant.' })
  externalId: string | null;
  @RecordProp({ kind: 'stringArray', description: 'Tags.' }) tags: string[];
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateContactInput')
export class CreateContactInput {
  @InputProp({ kind: 'string', maxLength: 200, description: 'Given name.', example: 'Ada' }) firstName?:
    string | null;
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 200,
    description: 'Family name.',
    example: 'Lovelace',
  })
  lastName: string;
  @InputProp({
    kind: 'string',
    email: true,
    maxLength: 320,
    description: 'Email address.',
    example: 'ada@acme.com',
  })
  email?: string | null;
  @InputProp({ kind: 'string', maxLength: 50, description: 'Phone number.' }) phone?: string | null;
  @InputProp({ kind: 'string', maxLength: 200, description: 'Job title.' }) title?: string | null;
  @InputProp({ kind: 'uuid', description: 'Account id.' }) accountId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Owning user id.' }) ownerId?: string | null;
  @InputProp({ ...STAGE, description: 'Lifecycle stage.' }) lifecycleStage?: string | null;
  @InputProp({ kind: 'string', maxLength: 200, description: 'Where the contact came from.' }) leadSource?:
    string | null;
  @InputProp({ kind: 'boolean', description: 'Do not contact this person (default false).' })
  doNotContact?: boolean;
  @InputProp({ kind: 'object', objectType: AddressInput, description: 'Postal address.' })
  address?: AddressInput | null;
  @InputProp({ kind: 'string', maxLength: 255, description: 'Your system’s id; unique per tenant.' })
  externalId?: string | null;
  @InputProp({ kind: 'stringArray', description: 'Tags.' }) tags?: string[];
}

@InputType('UpdateContactInput')
export class UpdateContactInput extends PartialInput(CreateContactInput) {}
