import type { Channel, RequestContext } from '../context/request-context.js';

/** The actions Rapport records (docs/audit.md); a module adding one lists it here. */
export const AUDIT_ACTIONS = [
  // record writes (every object, every channel — `bulk` for imports)
  'create',
  'update',
  'delete',
  'restore',
  // identity and access
  'login',
  'login_failed',
  'token_granted',
  'permission_change',
  'revoke',
  'rotate_secret',
  'denied',
  // sales
  'assign',
  'convert',
  'contact_role_add',
  'contact_role_remove',
  'reorder_stages',
  'reorder_rules',
  // service
  'escalate',
  'link_article',
  'unlink_article',
  'reorder_sla_policies',
  // integration
  'export',
] as const;
export type KnownAuditAction = (typeof AUDIT_ACTIONS)[number];
/** Any lower_snake action name (the table checks `^[a-z][a-z_]{0,39}$`). */
export type AuditAction = KnownAuditAction | (string & {});

export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export type AuditActorType = 'user' | 'apiKey' | 'oauthClient' | 'system' | 'anonymous';

/** One field's change: API field name → before/after (null when absent). */
export interface FieldChange {
  before: unknown;
  after: unknown;
}
export type AuditChanges = Record<string, FieldChange>;

/** What a caller tells AuditService.record about an event; who and when come from the context. */
export interface AuditEventInput {
  action: AuditAction;
  /** default 'success' */
  outcome?: AuditOutcome;
  /** registry object name (`contact`) or governance object (`role`, `apiKey`, `oauthClient`, `user`) */
  object?: string | null;
  /** a UUID */
  recordId?: string | null;
  changes?: AuditChanges | null;
  /**
   * `changes` already as canonical JSON (keys sorted, no whitespace: what `changes` would be
   * serialised to), for bulk writers that build it directly; used instead of `changes`.
   */
  changesJson?: string;
  /** small, non-personal extras: version, grant type, scope, denial reason, operation */
  details?: Record<string, unknown> | null;
  /** per-subject encryption key of personal values in `changes` (GDPR issue; null until then) */
  subjectKeyId?: string | null;
}

/** Who acted, through which channel, for which tenant: a RequestContext, or built by hand (sign-in). */
export interface AuditActor {
  tenantId: string;
  actorType: AuditActorType;
  actorId: string;
  userId?: string | null;
  clientId?: string | null;
  channel: Channel;
  requestId?: string | null;
}

// ------------------------------------------------------------------------------------ hooks

/**
 * Field-level security for audit diffs (issue 3 item 6). When audit events or a record's history
 * are READ, fields the reader may not read are omitted from `changes`. Rapport stores full diffs;
 * the filter applies on the way out.
 *
 * Default: hides nothing. The field-security engineer provides an implementation under the
 * AUDIT_FIELD_FILTER token from a @Global() module that exports it:
 * `{ provide: AUDIT_FIELD_FILTER, useExisting: FieldPolicyAuditFilter }`.
 */
export interface AuditFieldFilter {
  /**
   * API names of `object`'s fields the caller may not read. `object` is whatever events carry:
   * a registry object name (`contact`) or a governance object (`role`, `user`, …); return an
   * empty set for objects without field policies. Called once per object per page.
   */
  hiddenFields(ctx: RequestContext, object: string): ReadonlySet<string> | Promise<ReadonlySet<string>>;
}

export const AUDIT_FIELD_FILTER = Symbol('AUDIT_FIELD_FILTER');

export const HIDE_NOTHING: AuditFieldFilter = { hiddenFields: () => new Set<string>() };
