import { InputType, ObjectType } from '@nestjs/graphql';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';

const PERMISSIONS_DESCRIPTION =
  'Permission strings `<object>:<action>` (e.g. `contacts:read`) and admin permissions (`users:manage`, `roles:manage`, …). You can grant only permissions you hold.';

@ObjectType('Role', { description: 'A bundle of permissions; users hold one role. Roles form a hierarchy.' })
export class RoleDto {
  @OutputProp({ kind: 'uuid', description: 'Role id.' }) id: string;
  @OutputProp({ kind: 'string', description: 'Unique name within the tenant.', example: 'Sales rep' })
  name: string;
  @OutputProp({ kind: 'string', nullable: true, description: 'What the role is for.' })
  description: string | null;
  @OutputProp({
    kind: 'uuid',
    nullable: true,
    description: 'The manager role above this one: its holders see and edit this role’s records.',
  })
  parentRoleId: string | null;
  @OutputProp({ kind: 'stringArray', description: 'What holders of the role may do.' })
  permissions: string[];
  @OutputProp({
    kind: 'string',
    nullable: true,
    description:
      'Set on the roles every tenant starts with: admin, salesManager, salesRep, supportAgent, marketing, readOnly. Built-in roles cannot be deleted; the admin role always grants every permission.',
  })
  builtinKey: string | null;
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @OutputProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @OutputProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

@InputType('CreateRoleInput')
export class CreateRoleInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 100,
    description: 'Unique name within the tenant.',
  })
  name: string;
  @InputProp({ kind: 'string', maxLength: 500, description: 'What the role is for.' })
  description?: string | null;
  @InputProp({ kind: 'uuid', description: 'The manager role above this one (no cycles).' })
  parentRoleId?: string | null;
  @InputProp({ kind: 'stringArray', required: true, description: PERMISSIONS_DESCRIPTION })
  permissions: string[];
}

@InputType('UpdateRoleInput')
export class UpdateRoleInput extends PartialInput(CreateRoleInput) {}
