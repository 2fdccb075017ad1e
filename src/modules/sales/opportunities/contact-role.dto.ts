import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import { CONTACT_ROLES } from './opportunity.object.js';

export const ContactRoleEnum = Object.fromEntries(CONTACT_ROLES.map((s) => [s, s]));
registerEnumType(ContactRoleEnum, { name: 'ContactRoleKind', description: 'A contact’s part in a deal.' });
const ROLE = { kind: 'enum' as const, enumValues: CONTACT_ROLES, graphqlEnum: ContactRoleEnum };

@ObjectType('OpportunityContactRole', { description: 'A contact involved in a deal, and their part in it.' })
export class ContactRoleDto {
  @OutputProp({ kind: 'uuid', description: 'Contact role id.' }) id: string;
  @OutputProp({ kind: 'uuid', description: 'The opportunity.' }) opportunityId: string;
  @OutputProp({ kind: 'uuid', description: 'The contact.' }) contactId: string;
  @OutputProp({ ...ROLE, description: 'Their part in the deal.' }) role: string;
  @OutputProp({
    kind: 'boolean',
    description: 'Whether the contact is the opportunity’s primary contact (primaryContactId).',
  })
  isPrimary: boolean;
  @OutputProp({ kind: 'datetime', description: 'Added at.' }) createdAt: Date;
}

@InputType('AddContactRoleInput')
export class AddContactRoleInput {
  @InputProp({ kind: 'uuid', required: true, description: 'The contact (one role per contact and deal).' })
  contactId: string;
  @InputProp({ ...ROLE, required: true, description: 'Their part in the deal.' }) role: string;
  @InputProp({
    kind: 'boolean',
    description: 'Make the contact the opportunity’s primary contact (sets its primaryContactId).',
  })
  isPrimary?: boolean;
}

export class ContactRoleListDto {
  @ApiProperty({ type: [ContactRoleDto], description: 'The contact roles, in the order they were added.' })
  data: ContactRoleDto[];
}
