/**
 * Field-level security (DESIGN §7): per role and object, each field is `hidden`, `read` or
 * `edit`, written as an allow-list (unlisted fields hidden) or a deny-list (unlisted fields
 * editable). No policy row = every field editable.
 *
 * - Pinned fields are always at least readable: the system fields (id, createdAt, updatedAt,
 *   version) and the fields of the object's default sort (lists sort by them and cursors carry
 *   their values). A policy may make them `read`, never `hidden`.
 * - Unrestricted principals (isPolicyAdmin: the system, administrators, `sharing:manage`) edit
 *   every field.
 * - The role is the principal's (`principal.roleId`); a user whose context carries none has it
 *   read from `users`. Policies are cached per tenant and role for POLICY_TTL_MS; a change made
 *   through FieldPolicy.invalidate (the admin API) applies at once in this process.
 *
 * The record layer asks `resolve(ctx)` once per operation and then: selects only readable
 * columns (REST omits hidden fields), refuses hidden fields in filter/sort/fields/expand/q via
 * `check` (403 FORBIDDEN_FIELD naming the field), refuses writes to non-editable fields
 * (`checkWrite`), and marks each returned row with the hidden names (HIDDEN_FIELDS) so GraphQL's
 * field middleware answers null + FORBIDDEN_FIELD for a hidden field that is selected.
 */
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../context/request-context.js';
import { TenantDb } from '../../database/tenant-db.js';
import { DomainError } from '../../http/domain-error.js';
import type { CheckField } from '../../query/index.js';
import { FieldDef, ObjectDef, registry } from '../../registry/object-registry.js';
import { isPolicyAdmin } from './record-policy.js';

export type FieldAccess = 'hidden' | 'read' | 'edit';
export const FIELD_ACCESS: readonly FieldAccess[] = ['hidden', 'read', 'edit'];
export type FieldPolicyMode = 'allowList' | 'denyList';
export const FIELD_POLICY_MODES: readonly FieldPolicyMode[] = ['allowList', 'denyList'];

/** A stored policy for one role and object. */
export interface FieldPolicyRules {
  mode: FieldPolicyMode;
  rules: Readonly<Record<string, FieldAccess>>;
}

/** How long a role's policies may be served from memory (other replicas see changes this late). */
export const POLICY_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

/** The system fields every record carries, never hidden. */
const SYSTEM_FIELDS = ['id', 'createdAt', 'updatedAt', 'version'];

/**
 * Property on rows the record layer returns: field (or relation) name → the field that is
 * hidden from the caller (the relation's foreign key for a relation). Non-enumerable, so JSON
 * output never shows it; GraphQL's field middleware reads it.
 */
export const HIDDEN_FIELDS: unique symbol = Symbol('rapport.hiddenFields');

export type HiddenMap = ReadonlyMap<string, string>;

/** Fields a policy may not hide. */
export function pinnedFields(object: ObjectDef): Set<string> {
  return new Set([...SYSTEM_FIELDS, ...object.defaultSort.map((s) => s.field)]);
}

/** Each field's access under a policy (undefined policy = everything editable). */
export function effectiveAccess(
  object: ObjectDef,
  policy: FieldPolicyRules | undefined,
): Map<string, FieldAccess> {
  const pinned = pinnedFields(object);
  const out = new Map<string, FieldAccess>();
  for (const f of object.fields) {
    let access: FieldAccess = 'edit';
    if (policy) {
      const rule = policy.rules[f.name];
      access = FIELD_ACCESS.includes(rule) ? rule : policy.mode === 'allowList' ? 'hidden' : 'edit';
    }
    if (access === 'hidden' && pinned.has(f.name)) access = 'read';
    out.set(f.name, access);
  }
  return out;
}

function qualified(root: ObjectDef | undefined, object: ObjectDef, field: string): string {
  return root && root.name === object.name ? field : `${object.name}.${field}`;
}

/** 403 naming the field. `purpose`: what the caller tried (filter/sort/…, write). */
export function forbiddenField(object: ObjectDef, field: string, message: string, name = field): DomainError {
  return new DomainError('FORBIDDEN_FIELD', `${message} (field-level security of ${object.plural}).`, [
    { field: name, code: 'FORBIDDEN_FIELD', message },
  ]);
}

/** One object's field access for one caller. */
export class ObjectFieldAccess {
  private readableCache?: FieldDef[];

  constructor(
    readonly object: ObjectDef,
    /** null: unrestricted (every field editable) */
    private readonly access: ReadonlyMap<string, FieldAccess> | null,
    /** hidden fields, and relations whose foreign key is hidden (see HIDDEN_FIELDS) */
    readonly hidden: HiddenMap,
  ) {}

  get unrestricted(): boolean {
    return this.access === null;
  }

  of(field: string): FieldAccess {
    return this.access?.get(field) ?? 'edit';
  }

  isHidden(field: string): boolean {
    return this.of(field) === 'hidden';
  }

  /** The fields the caller may read, in declaration order: the default column list. */
  readable(): FieldDef[] {
    this.readableCache ??= this.object.fields.filter((f) => !this.isHidden(f.name));
    return this.readableCache;
  }

  /** The whole access map (explain endpoint, admin API). */
  entries(): Record<string, FieldAccess> {
    return Object.fromEntries(this.object.fields.map((f) => [f.name, this.of(f.name)]));
  }
}

/** One caller's field access over every object (filters cross objects through relations). */
export class FieldAccessSet {
  private readonly byObject = new Map<string, ObjectFieldAccess>();

  constructor(
    /** object plural → stored policy; null = unrestricted */
    private readonly policies: ReadonlyMap<string, FieldPolicyRules> | null,
  ) {}

  get unrestricted(): boolean {
    return this.policies === null;
  }

  for(object: ObjectDef): ObjectFieldAccess {
    let found = this.byObject.get(object.name);
    if (!found) {
      found = this.build(object);
      this.byObject.set(object.name, found);
    }
    return found;
  }

  private build(object: ObjectDef): ObjectFieldAccess {
    if (this.policies === null) return new ObjectFieldAccess(object, null, new Map());
    const access = effectiveAccess(object, this.policies.get(object.plural));
    const hidden = new Map<string, string>();
    for (const [name, a] of access) if (a === 'hidden') hidden.set(name, name);
    for (const rel of object.relations) {
      if (rel.kind === 'toOne') {
        if (access.get(rel.field) === 'hidden') hidden.set(rel.name, rel.field);
      } else {
        const target = registry.get(rel.target);
        const targetAccess = effectiveAccess(target, this.policies.get(target.plural));
        if (targetAccess.get(rel.foreignField) === 'hidden')
          hidden.set(rel.name, `${target.name}.${rel.foreignField}`);
      }
    }
    return new ObjectFieldAccess(object, access, hidden);
  }

  /**
   * The query engine's checkField hook: a hidden field may not be filtered, sorted, selected,
   * expanded through or searched. `root` names fields of other objects as `object.field`.
   */
  checker(root?: ObjectDef): CheckField {
    return (object, field) => {
      if (this.for(object).isHidden(field.name)) {
        const name = qualified(root, object, field.name);
        throw forbiddenField(
          object,
          field.name,
          `${object.name}.${field.name} is hidden from you: it cannot be used to filter, sort, select, expand or search`,
          name,
        );
      }
    };
  }

  /** `q` searches the object's search fields; refused when one of them is hidden. */
  checkSearch(object: ObjectDef): void {
    for (const name of object.searchFields ?? []) {
      if (this.for(object).isHidden(name))
        throw forbiddenField(
          object,
          name,
          `q searches ${object.name}.${name}, which is hidden from you; filter on visible fields instead`,
          name,
        );
    }
  }

  /** Refuses (403) writing any field the caller may not edit. */
  checkWrite(object: ObjectDef, fields: Iterable<FieldDef>): void {
    const access = this.for(object);
    for (const f of fields) {
      const a = access.of(f.name);
      if (a !== 'edit')
        throw forbiddenField(
          object,
          f.name,
          a === 'hidden'
            ? `${object.name}.${f.name} is hidden from you and cannot be written`
            : `${object.name}.${f.name} is read-only for you`,
        );
    }
  }

  /** Removes hidden fields from a row the record layer returns and marks it for GraphQL. */
  present<T extends Record<string, unknown>>(object: ObjectDef, row: T): T {
    const access = this.for(object);
    if (access.unrestricted) return row;
    for (const name of access.hidden.keys()) delete row[name];
    Object.defineProperty(row, HIDDEN_FIELDS, { value: access.hidden, enumerable: false });
    return row;
  }

  /** Marks a row (already selected with readable columns only) for GraphQL. */
  mark<T extends object>(object: ObjectDef, row: T): T {
    const access = this.for(object);
    if (!access.unrestricted)
      Object.defineProperty(row, HIDDEN_FIELDS, { value: access.hidden, enumerable: false });
    return row;
  }
}

const UNRESTRICTED = new FieldAccessSet(null);

interface CacheEntry {
  expires: number;
  generation: number;
  value: Promise<ReadonlyMap<string, FieldPolicyRules>>;
}

/** Resolves and caches field policies; see the file header. */
@Injectable()
export class FieldPolicy {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly generations = new Map<string, number>();

  constructor(private readonly db: TenantDb) {}

  /** The caller's field access (every object). */
  async resolve(ctx: RequestContext): Promise<FieldAccessSet> {
    if (isPolicyAdmin(ctx)) return UNRESTRICTED;
    const p = ctx.principal;
    const subject = p.roleId ? `role:${p.roleId}` : p.userId ? `user:${p.userId}` : null;
    if (!subject) return new FieldAccessSet(new Map());
    return new FieldAccessSet(await this.load(ctx.tenantId, subject));
  }

  /** The field access of a role (explain endpoint, admin API); null role = no policy. */
  async forRole(tenantId: string, roleId: string | null): Promise<FieldAccessSet> {
    if (!roleId) return new FieldAccessSet(new Map());
    return new FieldAccessSet(await this.load(tenantId, `role:${roleId}`));
  }

  /** Forgets a tenant's cached policies (after a change through the admin API). */
  invalidate(tenantId: string): void {
    this.generations.set(tenantId, (this.generations.get(tenantId) ?? 0) + 1);
    for (const key of this.cache.keys()) if (key.startsWith(`${tenantId}|`)) this.cache.delete(key);
  }

  private load(tenantId: string, subject: string): Promise<ReadonlyMap<string, FieldPolicyRules>> {
    const key = `${tenantId}|${subject}`;
    const now = Date.now();
    const generation = this.generations.get(tenantId) ?? 0;
    const hit = this.cache.get(key);
    if (hit && hit.expires > now && hit.generation === generation) return hit.value;
    const value = this.fetch(tenantId, subject);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, { expires: now + POLICY_TTL_MS, generation, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private async fetch(tenantId: string, subject: string): Promise<ReadonlyMap<string, FieldPolicyRules>> {
    const [kind, id] = subject.split(':') as ['role' | 'user', string];
    const role = kind === 'role' ? '$1::uuid' : `(SELECT u."role_id" FROM "users" u WHERE u."id" = $1::uuid)`;
    const rows: { object: string; mode: FieldPolicyMode; rules: Record<string, FieldAccess> }[] =
      await this.db.runAsTenant(tenantId, (em) =>
        em.query(
          `SELECT fp."object", fp."mode", fp."rules" FROM "field_policies" fp WHERE fp."role_id" = ${role}`,
          [id],
        ),
      );
    return new Map(rows.map((r) => [r.object, { mode: r.mode, rules: r.rules }]));
  }
}
