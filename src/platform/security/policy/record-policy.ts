/**
 * Record-level security (DESIGN §7): which records of an object a principal may read and write,
 * compiled into ONE SQL predicate that the record layer adds to every statement touching the
 * object — list, count, `q` search, filters' relation subqueries, expand, GraphQL loaders,
 * timelines, get, update, delete, restore and reference checks.
 *
 * A record is READABLE when any of these holds:
 *   orgDefault  the object's org-wide default (object_sharing) is `read` or `readWrite`
 *               (no row: DEFAULT_SHARING = `readWrite`, so a tenant that never configured
 *               sharing behaves as before record-level security existed)
 *   owner       owner_id is the acting user
 *   hierarchy   the owner's role is strictly below the acting role (role_descendants(), 0004)
 *   userShare   a record_shares row grants it to the acting user
 *   teamShare   … to a team the acting user belongs to (team_members)
 *   roleShare   … to the acting role
 * It is WRITABLE when: the default is `readWrite`, owner, hierarchy, or a `readWrite` share.
 *
 * Unrestricted principals get no predicate at all: the system context, administrators
 * (users.is_admin) and holders of `sharing:manage` (they can grant themselves any share, so
 * hiding records from them would only be theatre).
 *
 * The acting user is `principal.userId` (users, and API keys, which act as their owner). The
 * acting role is `principal.roleId` (the user's role, or the role an OAuth client acts as); for
 * a user whose context carries no role it is read from `users` inside the statement. An OAuth
 * client with no user is therefore role-based only: org default, the hierarchy below its role and
 * role shares — never owner, user or team rules.
 *
 * Every value is a `$n` parameter; subquery aliases come from SqlParams.alias so predicates nest
 * inside filter subqueries. Tenant isolation stays with RLS (every table here is tenant-scoped).
 */
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../context/request-context.js';
import { col, ident, SqlParams } from '../../query/sql.js';
import type { ObjectDef } from '../../registry/object-registry.js';

export type SharingAccess = 'private' | 'read' | 'readWrite';
export const SHARING_ACCESS: readonly SharingAccess[] = ['private', 'read', 'readWrite'];
/** The org-wide default of an object without an object_sharing row. */
export const DEFAULT_SHARING: SharingAccess = 'readWrite';

export type ShareAccess = 'read' | 'readWrite';
export type GranteeType = 'user' | 'team' | 'role';
export type Access = 'read' | 'write';

/** The rules that can grant access, most specific first (the order the explanation lists them). */
export type AccessRule =
  'admin' | 'owner' | 'hierarchy' | 'userShare' | 'teamShare' | 'roleShare' | 'orgDefault';
export const ACCESS_RULES: readonly AccessRule[] = [
  'admin',
  'owner',
  'hierarchy',
  'userShare',
  'teamShare',
  'roleShare',
  'orgDefault',
];

/** Who a predicate is compiled for. */
export interface PolicySubject {
  /** sees and edits every record: no predicate */
  unrestricted: boolean;
  /** the acting user, if any */
  userId: string | null;
  /** the acting role; undefined = the acting user's role, read from `users` in the statement */
  roleId: string | null | undefined;
}

export const OWNER_FIELD = 'ownerId';

/**
 * Whether the caller bypasses record- and field-level security: the system, administrators, and
 * holders of `sharing:manage` (who administer these very rules).
 */
export function isPolicyAdmin(ctx: RequestContext): boolean {
  const p = ctx.principal;
  return p.type === 'system' || p.isAdmin || ctx.can('sharing:manage');
}

export function subjectOf(ctx: RequestContext): PolicySubject {
  const p = ctx.principal;
  return {
    unrestricted: isPolicyAdmin(ctx),
    userId: p.userId ?? null,
    roleId: p.roleId ?? (p.userId ? undefined : null),
  };
}

/** One rule as SQL over the record alias. */
export interface RuleTerm {
  rule: AccessRule;
  sql: string;
}

/** Builds the SQL terms for one subject, object and record alias (one statement's params). */
class TermBuilder {
  private readonly objectParam: string;
  private readonly userParam: string | null;
  private readonly roleExpr: string | null;
  private readonly ownerColumn: string | null;

  constructor(
    subject: PolicySubject,
    private readonly object: ObjectDef,
    private readonly alias: string,
    private readonly params: SqlParams,
  ) {
    this.objectParam = `${params.add(object.plural)}::text`;
    this.userParam = subject.userId ? `${params.add(subject.userId)}::uuid` : null;
    if (subject.roleId) this.roleExpr = `${params.add(subject.roleId)}::uuid`;
    else if (subject.roleId === undefined && this.userParam) {
      const u = params.alias('pu');
      this.roleExpr = `(SELECT ${col(u, 'role_id')} FROM "users" ${u} WHERE ${col(u, 'id')} = ${this.userParam})`;
    } else this.roleExpr = null;
    this.ownerColumn = object.fields.find((f) => f.name === OWNER_FIELD)?.column ?? null;
  }

  orgDefault(access: Access): string {
    const s = this.params.alias('os');
    const setting = `coalesce((SELECT ${col(s, 'default_access')} FROM "object_sharing" ${s} WHERE ${col(s, 'object')} = ${this.objectParam}), '${DEFAULT_SHARING}')`;
    return access === 'read' ? `${setting} <> 'private'` : `${setting} = 'readWrite'`;
  }

  owner(): string | null {
    if (!this.ownerColumn || !this.userParam) return null;
    return `${col(this.alias, this.ownerColumn)} = ${this.userParam}`;
  }

  hierarchy(): string | null {
    if (!this.ownerColumn || !this.roleExpr) return null;
    const u = this.params.alias('hu');
    return `${col(this.alias, this.ownerColumn)} IN (SELECT ${col(u, 'id')} FROM "users" ${u} WHERE ${col(u, 'role_id')} IN (SELECT role_descendants(${this.roleExpr})))`;
  }

  /** The grantee condition of one grantee type over share alias `s`, or null if it cannot match. */
  private grantee(type: GranteeType, s: string): string | null {
    const is = (id: string) => `(${col(s, 'grantee_type')} = '${type}' AND ${col(s, 'grantee_id')} = ${id})`;
    switch (type) {
      case 'user':
        return this.userParam ? is(this.userParam) : null;
      case 'role':
        return this.roleExpr ? is(this.roleExpr) : null;
      case 'team': {
        if (!this.userParam) return null;
        const m = this.params.alias('tm');
        return `(${col(s, 'grantee_type')} = 'team' AND ${col(s, 'grantee_id')} IN (SELECT ${col(m, 'team_id')} FROM "team_members" ${m} WHERE ${col(m, 'user_id')} = ${this.userParam}))`;
      }
    }
  }

  /** One EXISTS over record_shares for the given grantee types (null when none can match). */
  shares(access: Access, types: readonly GranteeType[]): string | null {
    const s = this.params.alias('rs');
    const grantees = types.map((t) => this.grantee(t, s)).filter((g): g is string => g !== null);
    if (grantees.length === 0) return null;
    const where = [
      `${col(s, 'tenant_id')} = ${col(this.alias, 'tenant_id')}`,
      `${col(s, 'object')} = ${this.objectParam}`,
      `${col(s, 'record_id')} = ${col(this.alias, 'id')}`,
    ];
    if (access === 'write') where.push(`${col(s, 'access')} = 'readWrite'`);
    where.push(grantees.length === 1 ? grantees[0]! : `(${grantees.join(' OR ')})`);
    return `EXISTS (SELECT 1 FROM ${ident('record_shares')} ${s} WHERE ${where.join(' AND ')})`;
  }
}

@Injectable()
export class RecordPolicy {
  /** The records of `object` (aliased `alias`) the caller may read; undefined = all of them. */
  readPredicate(
    ctx: RequestContext,
    object: ObjectDef,
    alias: string,
    params: SqlParams,
  ): string | undefined {
    return this.predicate(subjectOf(ctx), object, alias, params, 'read');
  }

  /** The records the caller may change (update, delete, restore); undefined = all of them. */
  writePredicate(
    ctx: RequestContext,
    object: ObjectDef,
    alias: string,
    params: SqlParams,
  ): string | undefined {
    return this.predicate(subjectOf(ctx), object, alias, params, 'write');
  }

  /**
   * The predicate itself: the OR of the rules, cheapest first (Postgres evaluates an OR's
   * arms in order and stops at the first true one; the org default is one uncorrelated lookup).
   */
  predicate(
    subject: PolicySubject,
    object: ObjectDef,
    alias: string,
    params: SqlParams,
    access: Access,
  ): string | undefined {
    if (subject.unrestricted) return undefined;
    const b = new TermBuilder(subject, object, alias, params);
    const arms = [b.orgDefault(access), b.owner(), b.hierarchy(), b.shares(access, ['user', 'team', 'role'])];
    return `(${arms.filter((a): a is string => a !== null).join(' OR ')})`;
  }

  /**
   * Each rule as its own boolean term, for the access explanation: the predicate above is
   * exactly the OR of these (shares split by grantee type), so the explanation cannot disagree
   * with what is enforced. A rule that cannot apply to the subject is `FALSE`.
   */
  ruleTerms(
    subject: PolicySubject,
    object: ObjectDef,
    alias: string,
    params: SqlParams,
    access: Access,
  ): RuleTerm[] {
    const b = new TermBuilder(subject, object, alias, params);
    const or = (sql: string | null) => sql ?? 'FALSE';
    return [
      { rule: 'admin', sql: subject.unrestricted ? 'TRUE' : 'FALSE' },
      { rule: 'owner', sql: or(b.owner()) },
      { rule: 'hierarchy', sql: or(b.hierarchy()) },
      { rule: 'userShare', sql: or(b.shares(access, ['user'])) },
      { rule: 'teamShare', sql: or(b.shares(access, ['team'])) },
      { rule: 'roleShare', sql: or(b.shares(access, ['role'])) },
      { rule: 'orgDefault', sql: b.orgDefault(access) },
    ];
  }
}
