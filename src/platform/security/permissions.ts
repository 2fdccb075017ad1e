/**
 * Permissions are strings `<object>:<action>` plus admin permissions. Roles bundle them; OAuth
 * scopes and API-key scopes use the same strings and can only narrow what their owner holds.
 */
export const RECORD_OBJECTS = [
  'accounts',
  'contacts',
  'activities',
  'leads',
  'opportunities',
  'pipelines',
  'stages',
  'products',
  'lead-queues',
  // Service setup (issue 5): business-hours calendars and SLA policies.
  'business-calendars',
  'sla-policies',
  // Service cases (issue 5): cases, their queues and the rules that route them.
  'cases',
  'case-queues',
  'case-assignment-rules',
  // Knowledge base (issue 5).
  'knowledge-articles',
] as const;
/** The customer objects every built-in role started with (issue 1). */
const CUSTOMER_OBJECTS = ['accounts', 'contacts', 'activities'] as const;
/** The sales objects sales people work (issue 4). */
const DEAL_OBJECTS = ['leads', 'opportunities'] as const;
/** Sales configuration: maintained by administrators, read by everyone who sells. */
const SALES_SETUP = ['pipelines', 'stages', 'products', 'lead-queues'] as const;
export const RECORD_ACTIONS = ['read', 'create', 'update', 'delete', 'assign'] as const;

export const ADMIN_PERMISSIONS = [
  'users:manage',
  'roles:manage',
  'audit:read',
  'data:export',
  'api-keys:manage',
  'oauth-clients:manage',
  'sharing:manage',
  'lead-assignment-rules:manage',
] as const;

export type RecordObject = (typeof RECORD_OBJECTS)[number];
export type RecordAction = (typeof RECORD_ACTIONS)[number];

/** `contacts:read`; the record layer and the REST/GraphQL factories build their permissions with it. */
export const recordPermission = (plural: string, action: RecordAction): string => `${plural}:${action}`;

/** Every permission a role may hold (later modules append their objects). */
export function allPermissions(): string[] {
  return [...RECORD_OBJECTS.flatMap((o) => RECORD_ACTIONS.map((a) => `${o}:${a}`)), ...ADMIN_PERMISSIONS];
}

const KNOWN = new Set(allPermissions());
export const isKnownPermission = (p: string): boolean => KNOWN.has(p);

/** The permissions in `wanted` that `held` lacks (order kept); empty when `held` covers them all. */
export function missingPermissions(held: ReadonlySet<string>, wanted: Iterable<string>): string[] {
  return [...new Set(wanted)].filter((p) => !held.has(p));
}

/**
 * What a token may do: the principal's permissions narrowed by the token's scopes (their
 * intersection). `scopes === null` (no scope claim, or an empty one) narrows nothing. A scope the
 * principal does not hold grants nothing: scopes only ever narrow.
 */
export function narrowByScopes(held: ReadonlySet<string>, scopes: readonly string[] | null): Set<string> {
  if (scopes === null) return new Set(held);
  return new Set(scopes.filter((s) => held.has(s)));
}

const on = (objects: readonly RecordObject[], actions: readonly RecordAction[]): string[] =>
  objects.flatMap((o) => actions.map((a) => recordPermission(o, a)));

export type BuiltinRoleKey =
  'admin' | 'salesManager' | 'salesRep' | 'supportAgent' | 'marketing' | 'readOnly';

export interface BuiltinRole {
  key: BuiltinRoleKey;
  name: string;
  description: string;
  /** the built-in role above this one in the hierarchy (its holders see this role's records) */
  parent?: BuiltinRoleKey;
  permissions: () => string[];
}

/**
 * The roles every new tenant starts with. Tenants may edit all but admin's permissions, add their
 * own roles, and re-parent; built-in roles cannot be deleted (users and clients may rely on them).
 * Order matters: a parent comes before its children (they are inserted in this order).
 */
export const BUILTIN_ROLES: readonly BuiltinRole[] = [
  {
    key: 'admin',
    name: 'Administrator',
    description: 'Everything, including users, roles, keys, clients, sharing, audit and export.',
    // Resolved at request time to the whole catalogue (see roleGrants), so permissions added by a
    // later release reach existing tenants' administrators without a data migration.
    permissions: allPermissions,
  },
  {
    key: 'salesManager',
    name: 'Sales manager',
    description:
      'Runs a sales team: full control of accounts, contacts, activities, leads and opportunities, including reassigning owners.',
    // Managers rebalance territories and clean up data, so they may delete and reassign (assign);
    // they read the sales setup (pipelines, products, queues) that administrators maintain, and
    // administer no users, roles or integrations.
    permissions: () => [
      ...on([...CUSTOMER_OBJECTS, ...DEAL_OBJECTS], ['read', 'create', 'update', 'delete', 'assign']),
      ...on(SALES_SETUP, ['read']),
      // Account managers see their customers' support cases, and the knowledge base they point customers to.
      recordPermission('cases', 'read'),
      recordPermission('knowledge-articles', 'read'),
    ],
  },
  {
    key: 'salesRep',
    name: 'Sales rep',
    description: 'Works their own accounts, contacts, leads and opportunities and logs activities.',
    parent: 'salesManager',
    // Reps create and maintain customer data, work leads (convert them) and opportunities, but
    // may not delete accounts, contacts, leads or opportunities (a deleted record takes its
    // history out of everyone's view) nor hand records to someone else; they may delete their own
    // mis-logged activities. They read the sales setup but do not configure it.
    permissions: () => [
      ...on([...CUSTOMER_OBJECTS, ...DEAL_OBJECTS], ['read', 'create', 'update']),
      recordPermission('activities', 'delete'),
      ...on(SALES_SETUP, ['read']),
      recordPermission('cases', 'read'),
      recordPermission('knowledge-articles', 'read'),
    ],
  },
  {
    key: 'supportAgent',
    name: 'Support agent',
    description:
      'Works support cases, looks customers up, records support interactions and writes the knowledge base.',
    // Support needs to find the customer (read accounts and contacts) and what they bought
    // (products), and log calls, emails and notes (activities), but does not change the customer
    // master data sales owns nor see the sales pipeline.
    permissions: () => [
      ...on(['accounts', 'contacts', 'products'], ['read']),
      ...on(['activities'], ['read', 'create', 'update']),
      // Agents see the SLA setup their cases are measured against; administrators maintain it.
      ...on(['business-calendars', 'sla-policies'], ['read']),
      // Agents work cases (take, hand over and comment: assign) in the queues they read; they
      // delete no case (its history and SLA figures stay) and configure no queue or rule.
      ...on(['cases'], ['read', 'create', 'update', 'assign']),
      recordPermission('case-queues', 'read'),
      // Agents write and maintain the knowledge base; publishing is theirs too. They delete no article.
      ...on(['knowledge-articles'], ['read', 'create', 'update']),
    ],
  },
  {
    key: 'marketing',
    name: 'Marketing',
    description: 'Maintains contacts and leads for campaigns; sees accounts and activities for targeting.',
    // Marketing imports and enriches people (contacts and leads: read/create/update; new leads go
    // through the assignment rules) and segments by account and engagement (read only); it
    // deletes nothing, assigns no owners and converts no leads (conversion creates accounts).
    permissions: () => [
      recordPermission('accounts', 'read'),
      ...on(['contacts', 'leads'], ['read', 'create', 'update']),
      recordPermission('activities', 'read'),
      recordPermission('lead-queues', 'read'),
    ],
  },
  {
    key: 'readOnly',
    name: 'Read-only',
    description: 'Sees customer and sales records; changes nothing.',
    // For auditors, executives and new joiners: read on every record object, nothing else.
    permissions: () => on(RECORD_OBJECTS, ['read']),
  },
];

/**
 * The permissions a role grants. The built-in admin role always grants the whole catalogue, so
 * that it never falls behind the code; every other role grants exactly what it stores (roles do
 * not inherit from their children or parents: the hierarchy is about which records a manager
 * sees, not what they may do).
 */
export function roleGrants(role: { builtinKey: string | null; permissions: readonly string[] }): string[] {
  return role.builtinKey === 'admin' ? allPermissions() : [...role.permissions];
}
