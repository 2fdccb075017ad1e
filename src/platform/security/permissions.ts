/**
 * Permissions are strings `<object>:<action>` plus admin permissions. Roles bundle them; OAuth
 * scopes and API-key scopes use the same strings and can only narrow what their owner holds.
 */
export const RECORD_OBJECTS = ['accounts', 'contacts', 'activities'] as const;
export const RECORD_ACTIONS = ['read', 'create', 'update', 'delete', 'assign'] as const;

export const ADMIN_PERMISSIONS = [
  'users:manage',
  'roles:manage',
  'audit:read',
  'data:export',
  'api-keys:manage',
  'oauth-clients:manage',
  'sharing:manage',
] as const;

export type RecordObject = (typeof RECORD_OBJECTS)[number];
export type RecordAction = (typeof RECORD_ACTIONS)[number];

/** Every permission a role may hold (later modules append their objects). */
export function allPermissions(): string[] {
  return [...RECORD_OBJECTS.flatMap((o) => RECORD_ACTIONS.map((a) => `${o}:${a}`)), ...ADMIN_PERMISSIONS];
}

export const isKnownPermission = (p: string): boolean => allPermissions().includes(p);
