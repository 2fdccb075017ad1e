import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';

export const USER_STATUSES = ['active', 'disabled'] as const;
export const UserStatusEnum = Object.fromEntries(USER_STATUSES.map((s) => [s, s]));
registerEnumType(UserStatusEnum, {
  name: 'UserStatus',
  description: 'active: may sign in and use tokens; disabled: deactivated, every token refused.',
});

@ObjectType('User', { description: 'A person who signs in to the tenant.' })
export class UserDto {
  @OutputProp({ kind: 'uuid', description: 'User id.' }) id: string;
  @OutputProp({ kind: 'string', description: 'Sign-in email, lower-case; unique across tenants.' })
  email: string;
  @OutputProp({ kind: 'string', description: 'Name shown to other users.' }) displayName: string;
  @OutputProp({
    kind: 'boolean',
    description:
      'Tenant administrator: holds every permission whatever the role (the first user of a tenant).',
  })
  isAdmin: boolean;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The user’s role.' }) roleId: string | null;
  @OutputProp({
    kind: 'enum',
    enumValues: USER_STATUSES,
    graphqlEnum: UserStatusEnum,
    description: 'active or disabled (deactivated).',
  })
  status: string;
  @OutputProp({ kind: 'stringArray', description: 'Ids of the teams the user belongs to.' })
  teamIds: string[];
  @OutputProp({ kind: 'datetime', nullable: true, description: 'Last successful sign-in.' })
  lastLoginAt: Date | null;
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @OutputProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @OutputProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

@InputType('CreateUserInput')
export class CreateUserInput {
  @InputProp({ kind: 'string', required: true, email: true, maxLength: 320, description: 'Sign-in email.' })
  email: string;
  @InputProp({
    kind: 'string',
    maxLength: 200,
    description: 'Name shown to other users (default: the email’s local part).',
  })
  displayName?: string;
  @InputProp({
    kind: 'string',
    maxLength: 1024,
    description:
      'Initial password (12 characters or more); omitted: the user cannot sign in with a password yet.',
  })
  password?: string | null;
  @InputProp({
    kind: 'uuid',
    description:
      'The role (default: the built-in read-only role). You can give only a role granting nothing you lack.',
  })
  roleId?: string | null;
}

@InputType('UpdateUserInput')
export class UpdateUserInput {
  @InputProp({ kind: 'string', maxLength: 200, description: 'Name shown to other users.' })
  displayName?: string;
  @InputProp({
    kind: 'uuid',
    description: 'The new role. You can give only a role granting nothing you lack.',
  })
  roleId?: string;
}
