import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { createdChanges, updatedChanges } from '../audit/record-diff.js';
import { RequestContext } from '../context/request-context.js';
import { newId } from '../database/ids.js';
import { TenantDb } from '../database/tenant-db.js';
import { DomainError, FieldIssue } from '../http/domain-error.js';
import { toDomainError } from '../http/problem.js';
import {
  buildCountQuery,
  buildListQuery,
  encodeCursor,
  LIST_ALIAS,
  parseExpand,
  parseFields,
  parseFilterInput,
  parseLimit,
  parseSort,
  RANK_COLUMN,
  SqlParams,
  stripCursorColumns,
  type FilterNode,
  type RelationScope,
} from '../query/index.js';
import { col, ident } from '../query/sql.js';
import {
  FieldDef,
  ObjectDef,
  registry,
  RelationDef,
  ToManyRelation,
  ToOneRelation,
} from '../registry/object-registry.js';
import { FieldAccessSet, FieldPolicy } from '../security/policy/field-policy.js';
import { OWNER_FIELD, RecordPolicy } from '../security/policy/record-policy.js';
import { RECORD_EVENTS } from '../outbox/outbox.service.js';
import { jsonMergeSql, selectList, table, valueSql } from './record-sql.js';
import { EXPAND_MANY_LIMIT } from './record.types.js';
import type { GetOptions, ListOptions, Page, RecordData } from './record.types.js';

/** Extra restriction a caller adds to a list (e.g. "activities of this account" for a timeline). */
export interface ListScope {
  where: (params: SqlParams, alias: string) => string;
}

export interface ChildQuery {
  filter?: unknown;
  sort?: string;
  first: number;
  after?: string;
}

export interface ChildPage {
  rows: RecordData[];
  cursors: string[];
  hasNextPage: boolean;
}

const csv = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);
const hasQ = (q: unknown): boolean =>
  q !== undefined && q !== null && !(typeof q === 'string' && q.trim() === '');

/**
 * The generic record layer: list, get, create, update (merge patch), soft delete and restore for
 * any registered object, driven by its registry declaration. Every statement runs inside the
 * caller's tenant transaction (RLS), and every failure leaves as a DomainError (4xx) or INTERNAL.
 *
 * Record- and field-level security are enforced here, for every surface at once (DESIGN §7):
 * - RecordPolicy's read predicate is in every statement that reads a record (lists, counts, `q`,
 *   relation subqueries of filters, expands, loaders, get, reference checks) and its write
 *   predicate in every UPDATE. Not visible → 404; visible but not writable → 403.
 * - FieldPolicy: only readable columns are selected (REST omits hidden fields), hidden fields
 *   may not be filtered, sorted, selected, expanded through or searched (403 FORBIDDEN_FIELD), a
 *   write needs `edit` on each field, and rows are marked for GraphQL (HIDDEN_FIELDS).
 */
@Injectable()
export class RecordService {
  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
    private readonly policy: RecordPolicy,
    private readonly fieldPolicy: FieldPolicy,
  ) {}

  // ---------------------------------------------------------------------------------- reads

  async list(ctx: RequestContext, object: ObjectDef, options: ListOptions, scope?: ListScope): Promise<Page> {
    const access = await this.fieldPolicy.resolve(ctx);
    const checkField = access.checker(object);
    const filter = parseFilterInput(options.filter);
    const sort = parseSort(object, options.sort, checkField);
    const columns = this.columns(access, object, options.fields);
    const expand = this.expansions(access, object, options.expand);
    if (hasQ(options.q) && object.searchColumn) access.checkSearch(object);
    const relationScope = this.relationScope(ctx);
    return this.read(ctx, async (em) => {
      const params = new SqlParams();
      const extraWhere = this.visibleWhere(ctx, object, params, scope);
      const withFk = this.withForeignKeys(object, columns, expand);
      const query = buildListQuery(registry, object, {
        filter,
        q: options.q,
        sort,
        cursor: options.cursor,
        limit: parseLimit(options.limit),
        columns: withFk,
        extraWhere,
        params,
        checkField,
        relationScope,
      });
      const raw: RecordData[] = await em.query(query.sql, query.params);
      const hasMore = raw.length > query.limit;
      const pageRows = hasMore ? raw.slice(0, query.limit) : raw;
      const cursors = pageRows.map((r) => encodeCursor(query.sort, r));
      const data = pageRows.map((r) => access.mark(object, stripCursorColumns(r)));
      await this.expandInto(em, ctx, access, data, expand);
      const page: Page = { data, nextCursor: hasMore ? cursors[cursors.length - 1] : null, cursors };
      if (options.count) {
        const countParams = new SqlParams();
        const countWhere = this.visibleWhere(ctx, object, countParams, scope);
        const count = buildCountQuery(registry, object, {
          filter,
          q: options.q,
          extraWhere: countWhere,
          params: countParams,
          checkField,
          relationScope,
        });
        const [{ total }] = (await em.query(count.sql, count.params)) as { total: number }[];
        page.total = total;
      }
      return page;
    });
  }

  async get(
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    options: GetOptions = {},
  ): Promise<RecordData> {
    const access = await this.fieldPolicy.resolve(ctx);
    const columns = this.columns(access, object, options.fields);
    const expand = this.expansions(access, object, options.expand);
    return this.read(ctx, async (em) => {
      const row = await this.fetchOne(em, ctx, object, id, this.withForeignKeys(object, columns, expand));
      if (!row) throw this.notFound(object, id);
      access.mark(object, row);
      await this.expandInto(em, ctx, access, [row], expand);
      return row;
    });
  }

  /** Records by id, in one statement (GraphQL DataLoaders). Missing or deleted ids are absent. */
  async getMany(
    ctx: RequestContext,
    object: ObjectDef,
    ids: readonly string[],
  ): Promise<Map<string, RecordData>> {
    if (ids.length === 0) return new Map();
    const access = await this.fieldPolicy.resolve(ctx);
    return this.read(ctx, async (em) => {
      const found = await this.fetchMany(em, ctx, object, ids, access.for(object).readable());
      for (const row of found.values()) access.mark(object, row);
      return found;
    });
  }

  /**
   * One page of children per parent, for all parents in one statement: `account.contacts(first,
   * after)` in GraphQL. The same filter/sort/cursor applies to every parent.
   */
  async listChildren(
    ctx: RequestContext,
    relation: ToManyRelation,
    parentIds: readonly string[],
    query: ChildQuery,
  ): Promise<Map<string, ChildPage>> {
    const target = registry.get(relation.target);
    const fk = this.field(target, relation.foreignField);
    const access = await this.fieldPolicy.resolve(ctx);
    // The grouping key is the foreign key: listing children through it reveals it.
    const checkField = access.checker();
    checkField(target, fk);
    const filter = parseFilterInput(query.filter);
    const sort = parseSort(target, query.sort, checkField);
    const relationScope = this.relationScope(ctx);
    return this.read(ctx, async (em) => {
      const params = new SqlParams();
      const parents = params.add(parentIds);
      const built = buildListQuery(registry, target, {
        filter,
        sort,
        cursor: query.after,
        limit: query.first,
        columns: access.for(target).readable(),
        extraWhere: [
          `${col(LIST_ALIAS, fk.column)} = ANY(${parents}::uuid[])`,
          ...this.visibleWhere(ctx, target, params),
        ],
        params,
        partitionBy: fk,
        checkField,
        relationScope,
      });
      const rows: RecordData[] = await em.query(built.sql, built.params);
      const out = new Map<string, ChildPage>();
      for (const id of parentIds) out.set(id, { rows: [], cursors: [], hasNextPage: false });
      for (const row of rows) {
        const page = out.get(row[fk.name] as string);
        if (!page) continue;
        if (page.rows.length === built.limit) {
          page.hasNextPage = true;
          continue;
        }
        page.cursors.push(encodeCursor(built.sort, row));
        const clean = stripCursorColumns(row);
        delete clean[RANK_COLUMN];
        page.rows.push(access.mark(target, clean));
      }
      return out;
    });
  }

  // --------------------------------------------------------------------------------- writes

  async create(ctx: RequestContext, object: ObjectDef, input: RecordData): Promise<RecordData> {
    const values = this.writable(object, input, 'create');
    const access = await this.fieldPolicy.resolve(ctx);
    // Owning the record you create is the default (ObjectService sets it), not a field edit.
    const self = ctx.principal.userId;
    access.checkWrite(
      object,
      [...values].filter(([f, v]) => !(f.name === OWNER_FIELD && self && v === self)).map(([f]) => f),
    );
    return this.run(ctx, async (em) => {
      const id = newId();
      await this.checkReferences(em, ctx, object, values, id);
      const params = new SqlParams();
      const cols = ['tenant_id', 'id'];
      const exprs = ['app_tenant_id()', `${params.add(id)}::uuid`];
      for (const [f, v] of values) {
        cols.push(f.column);
        exprs.push(valueSql(f, v, params));
      }
      const sql = withOutbox(
        `INSERT INTO ${table(object)} AS t (${cols.map(ident).join(', ')}) VALUES (${exprs.join(', ')}) RETURNING ${selectList(object.fields)}`,
        ctx,
        object,
        'create',
        params,
      );
      const rows: RecordData[] = await em.query(sql, params.values);
      await this.audit.record(em, ctx, {
        action: 'create',
        object: object.name,
        recordId: id,
        changes: createdChanges(object, rows[0]),
        details: { version: rows[0].version },
      });
      return access.present(object, rows[0]);
    });
  }

  /** Merge patch: absent keys stay, `null` clears (refused for required fields). */
  async update(
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    patch: RecordData,
    expectedVersion?: number,
  ): Promise<RecordData> {
    const values = this.writable(object, patch, 'update');
    const access = await this.fieldPolicy.resolve(ctx);
    access.checkWrite(object, values.keys());
    return this.run(ctx, async (em) => {
      if (values.size === 0) {
        await this.checkWritable(em, ctx, object, id, expectedVersion);
        const current = await this.fetchOne(em, ctx, object, id, object.fields);
        if (!current) throw this.notFound(object, id);
        return access.present(object, current);
      }
      await this.checkReferences(em, ctx, object, values, id);
      const params = new SqlParams();
      const sets = [...values].map(
        ([f, v]) =>
          `${ident(f.column)} = ${f.type === 'json' ? jsonMergeSql(f, v, params) : valueSql(f, v, params)}`,
      );
      sets.push(`"version" = t."version" + 1`, `"updated_at" = now()`);
      const where = [`t."id" = ${params.add(id)}::uuid`];
      if (object.softDelete) where.push('t."deleted_at" IS NULL');
      if (expectedVersion !== undefined) where.push(`t."version" = ${params.add(expectedVersion)}`);
      where.push(...this.writableWhere(ctx, object, params));
      const sql = withOutbox(
        `UPDATE ${table(object)} AS t SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${selectList(object.fields)}`,
        ctx,
        object,
        'update',
        params,
        [...values.keys()].map((f) => f.name),
      );
      // The audit diff's "before": the row as this transaction locks it, so no write slips between.
      const before = await this.lockForAudit(em, ctx, object, id);
      const rows: RecordData[] = await em.query(sql, params.values).then(updatedRows);
      if (rows.length === 0 || !before) return this.explainMiss(em, ctx, object, id, expectedVersion);
      await this.audit.record(em, ctx, {
        action: 'update',
        object: object.name,
        recordId: id,
        changes: updatedChanges(object, before, rows[0]),
        details: { version: rows[0].version },
      });
      return access.present(object, rows[0]);
    });
  }

  async remove(ctx: RequestContext, object: ObjectDef, id: string, expectedVersion?: number): Promise<void> {
    await this.run(ctx, async (em) => {
      const params = new SqlParams();
      const where = [`t."id" = ${params.add(id)}::uuid`, 't."deleted_at" IS NULL'];
      if (expectedVersion !== undefined) where.push(`t."version" = ${params.add(expectedVersion)}`);
      where.push(...this.writableWhere(ctx, object, params));
      const sql = withOutbox(
        `UPDATE ${table(object)} AS t SET "deleted_at" = now(), "updated_at" = now(), "version" = t."version" + 1 WHERE ${where.join(' AND ')} RETURNING t."id", t."deleted_at" AS "deletedAt", t."version"`,
        ctx,
        object,
        'delete',
        params,
      );
      const rows = await em.query(sql, params.values).then(updatedRows);
      if (rows.length === 0) await this.explainMiss(em, ctx, object, id, expectedVersion);
      await this.audit.record(em, ctx, {
        action: 'delete',
        object: object.name,
        recordId: id,
        changes: { deletedAt: { before: null, after: rows[0].deletedAt } },
        details: { version: rows[0].version },
      });
    });
  }

  /** Undoes a soft delete. Restoring a record that is not deleted returns it unchanged. */
  async restore(ctx: RequestContext, object: ObjectDef, id: string): Promise<RecordData> {
    const access = await this.fieldPolicy.resolve(ctx);
    return this.run(ctx, async (em) => {
      const params = new SqlParams();
      const where = [`t."id" = ${params.add(id)}::uuid`, 't."deleted_at" IS NOT NULL'];
      where.push(...this.writableWhere(ctx, object, params));
      const sql = withOutbox(
        `UPDATE ${table(object)} AS t SET "deleted_at" = NULL, "updated_at" = now(), "version" = t."version" + 1 WHERE ${where.join(' AND ')} RETURNING ${selectList(object.fields)}`,
        ctx,
        object,
        'restore',
        params,
      );
      const deletedAt = await this.lockForAudit(em, ctx, object, id, true);
      const rows: RecordData[] = await em.query(sql, params.values).then(updatedRows);
      if (rows.length > 0) {
        await this.audit.record(em, ctx, {
          action: 'restore',
          object: object.name,
          recordId: id,
          changes: { deletedAt: { before: deletedAt?.deletedAt ?? null, after: null } },
          details: { version: rows[0].version },
        });
        return access.present(object, rows[0]);
      }
      // Absent or invisible (deleted or not) → 404; visible but not writable → 403.
      await this.checkWritable(em, ctx, object, id, undefined, true);
      const current = await this.fetchOne(em, ctx, object, id, object.fields);
      if (!current) throw this.notFound(object, id);
      return access.present(object, current);
    });
  }

  // -------------------------------------------------------------------------------- helpers

  private async run<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.run(ctx, work);
    } catch (e) {
      throw toDomainError(e);
    }
  }

  /** Reads need no transaction: autocommit saves the BEGIN and COMMIT round trips (TenantDb). */
  private async read<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.read(ctx, work);
    } catch (e) {
      throw toDomainError(e);
    }
  }

  /**
   * Locks the record for the rest of the transaction and returns it as it is now: the "before" of
   * the audit diff (all fields; with `deletedOnly`, just deleted_at of a deleted record). Only a
   * record the caller may write is locked (the same predicate as the write that follows).
   */
  private async lockForAudit(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    deletedOnly = false,
  ): Promise<RecordData | undefined> {
    const params = new SqlParams();
    const where = [`t."id" = ${params.add(id)}::uuid`];
    if (object.softDelete) where.push(`t."deleted_at" IS ${deletedOnly ? 'NOT ' : ''}NULL`);
    where.push(...this.writableWhere(ctx, object, params));
    const columns = deletedOnly ? 't."deleted_at" AS "deletedAt"' : selectList(object.fields);
    const rows: RecordData[] = await em.query(
      `SELECT ${columns} FROM ${table(object)} t WHERE ${where.join(' AND ')} FOR UPDATE`,
      params.values,
    );
    return rows[0];
  }

  private field(object: ObjectDef, name: string): FieldDef {
    const f = registry.field(object, name);
    if (!f) throw new Error(`${object.name}.${name} is not declared`);
    return f;
  }

  /** `fields=` (each must be readable) or, by default, every field the caller may read. */
  private columns(
    access: FieldAccessSet,
    object: ObjectDef,
    fields: string | string[] | undefined,
  ): FieldDef[] {
    return parseFields(object, csv(fields) ?? null, access.checker(object)) ?? access.for(object).readable();
  }

  /** `expand=`; a relation whose foreign key is hidden from the caller cannot be expanded (403). */
  private expansions(
    access: FieldAccessSet,
    object: ObjectDef,
    expand: string | string[] | undefined,
  ): RelationDef[] {
    const relations = parseExpand(registry, object, csv(expand) ?? null);
    const check = access.checker(object);
    for (const rel of relations) {
      if (rel.kind === 'toOne') check(object, this.field(object, rel.field));
      else {
        const target = registry.get(rel.target);
        check(target, this.field(target, rel.foreignField));
      }
    }
    return relations;
  }

  /** The list's WHERE additions: the caller's read predicate on `object` (alias `t`) and a scope. */
  private visibleWhere(
    ctx: RequestContext,
    object: ObjectDef,
    params: SqlParams,
    scope?: ListScope,
  ): string[] {
    const out: string[] = [];
    if (scope) out.push(scope.where(params, LIST_ALIAS));
    const visible = this.policy.readPredicate(ctx, object, LIST_ALIAS, params);
    if (visible) out.push(visible);
    return out;
  }

  /** The caller's write predicate on `object` (alias `t`), for UPDATE statements. */
  private writableWhere(ctx: RequestContext, object: ObjectDef, params: SqlParams): string[] {
    const writable = this.policy.writePredicate(ctx, object, LIST_ALIAS, params);
    return writable ? [writable] : [];
  }

  /** Record-level security inside filters' relation subqueries (`account.industry eq …`, `any`). */
  private relationScope(ctx: RequestContext): RelationScope {
    return (object, alias, params) => this.policy.readPredicate(ctx, object, alias, params);
  }

  /** to-one expands need the FK column in the row even when `fields` left it out. */
  private withForeignKeys(object: ObjectDef, columns: FieldDef[], expand: RelationDef[]): FieldDef[] {
    const out = [...columns];
    for (const rel of expand) {
      if (rel.kind !== 'toOne') continue;
      const fk = this.field(object, rel.field);
      if (!out.includes(fk)) out.push(fk);
    }
    return out;
  }

  private async fetchOne(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    fields: readonly FieldDef[],
  ): Promise<RecordData | undefined> {
    return (await this.fetchMany(em, ctx, object, [id], fields)).get(id);
  }

  /** Live records by id that the caller may read; the others are simply absent. */
  private async fetchMany(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    ids: readonly string[],
    fields: readonly FieldDef[],
  ): Promise<Map<string, RecordData>> {
    const params = new SqlParams([ids]);
    const where = ['t."id" = ANY($1::uuid[])'];
    if (object.softDelete) where.push('t."deleted_at" IS NULL');
    where.push(...this.visibleWhere(ctx, object, params));
    const idField = fields.some((f) => f.name === 'id') ? fields : [this.field(object, 'id'), ...fields];
    const rows: RecordData[] = await em.query(
      `SELECT ${selectList(idField)} FROM ${table(object)} t WHERE ${where.join(' AND ')}`,
      params.values,
    );
    return new Map(rows.map((r) => [r.id as string, r]));
  }

  private async expandInto(
    em: EntityManager,
    ctx: RequestContext,
    access: FieldAccessSet,
    rows: RecordData[],
    expand: RelationDef[],
  ): Promise<void> {
    if (rows.length === 0) return;
    for (const rel of expand) {
      if (rel.kind === 'toOne') await this.expandOne(em, ctx, access, rel, rows);
      else await this.expandMany(em, ctx, access, rel, rows);
    }
  }

  /** A to-one expand: the related record if the caller may read it, else null (as if absent). */
  private async expandOne(
    em: EntityManager,
    ctx: RequestContext,
    access: FieldAccessSet,
    rel: ToOneRelation,
    rows: RecordData[],
  ): Promise<void> {
    const target = registry.get(rel.target);
    const ids = [...new Set(rows.map((r) => r[rel.field]).filter((v): v is string => typeof v === 'string'))];
    const found = ids.length
      ? await this.fetchMany(em, ctx, target, ids, access.for(target).readable())
      : new Map<string, RecordData>();
    for (const row of found.values()) access.mark(target, row);
    for (const row of rows)
      row[rel.name] =
        typeof row[rel.field] === 'string' ? (found.get(row[rel.field] as string) ?? null) : null;
  }

  /** A to-many expand: the first EXPAND_MANY_LIMIT related records the caller may read. */
  private async expandMany(
    em: EntityManager,
    ctx: RequestContext,
    access: FieldAccessSet,
    rel: ToManyRelation,
    rows: RecordData[],
  ): Promise<void> {
    const target = registry.get(rel.target);
    const fk = this.field(target, rel.foreignField);
    const params = new SqlParams();
    const parents = params.add(rows.map((r) => r.id));
    const built = buildListQuery(registry, target, {
      sort: target.defaultSort,
      limit: EXPAND_MANY_LIMIT,
      columns: access.for(target).readable(),
      extraWhere: [
        `${col(LIST_ALIAS, fk.column)} = ANY(${parents}::uuid[])`,
        ...this.visibleWhere(ctx, target, params),
      ],
      params,
      partitionBy: fk,
    });
    const children: RecordData[] = await em.query(built.sql, built.params);
    const byParent = new Map<string, RecordData[]>();
    for (const child of children) {
      // limit + 1 rows come back per parent; an expand shows the first EXPAND_MANY_LIMIT.
      if (Number(child[RANK_COLUMN]) > EXPAND_MANY_LIMIT) continue;
      const clean = stripCursorColumns(child);
      delete clean[RANK_COLUMN];
      const key = clean[fk.name] as string;
      byParent.set(key, [...(byParent.get(key) ?? []), access.mark(target, clean)]);
    }
    for (const row of rows) row[rel.name] = byParent.get(row.id as string) ?? [];
  }

  /** Input (API names) → writable fields with their values; refuses system fields and nulls in required ones. */
  private writable(object: ObjectDef, input: RecordData, mode: 'create' | 'update'): Map<FieldDef, unknown> {
    const out = new Map<FieldDef, unknown>();
    const issues: FieldIssue[] = [];
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue;
      const f = registry.field(object, key);
      if (!f || f.writable === 'never' || (f.writable === 'create' && mode === 'update')) {
        issues.push({ field: key, code: 'read_only', message: `${key} cannot be written` });
        continue;
      }
      if (value === null && !f.nullable) {
        issues.push({ field: key, code: 'required', message: `${key} cannot be null` });
        continue;
      }
      out.set(f, value);
    }
    if (issues.length)
      throw new DomainError(
        'VALIDATION_FAILED',
        `Invalid ${object.name}: ${issues.map((i) => i.message).join('; ')}.`,
        issues,
      );
    return out;
  }

  /**
   * A to-one reference must point at a live record of this tenant (the composite foreign key
   * already rules out other tenants; this adds "not deleted" and a clear message), and a
   * self-reference (parent account) may not form a cycle.
   */
  private async checkReferences(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    values: Map<FieldDef, unknown>,
    selfId: string,
  ): Promise<void> {
    const issues: FieldIssue[] = [];
    for (const rel of object.relations) {
      if (rel.kind !== 'toOne') continue;
      const fk = this.field(object, rel.field);
      const ref = values.get(fk);
      if (typeof ref !== 'string') continue;
      const target = registry.get(rel.target);
      // A record the caller may not see is "not found" here too: no linking to invisible records
      // (checked first, so that the cycle check below says nothing about an invisible one).
      const found = await this.fetchMany(em, ctx, target, [ref], [this.field(target, 'id')]);
      if (!found.has(ref)) {
        issues.push({
          field: fk.name,
          code: 'not_found',
          message: `${fk.name} refers to no ${target.name} (${ref})`,
        });
        continue;
      }
      if (target.name === object.name) {
        const cyc: { cyclic: boolean }[] = await em.query(
          `WITH RECURSIVE up(id, depth) AS (SELECT $1::uuid, 0 UNION ALL SELECT t.${ident(fk.column)}, up.depth + 1 FROM ${table(object)} t JOIN up ON t."id" = up.id WHERE t.${ident(fk.column)} IS NOT NULL AND up.depth < 100)
           SELECT EXISTS (SELECT 1 FROM up WHERE id = $2::uuid) AS cyclic`,
          [ref, selfId],
        );
        if (cyc[0]?.cyclic) {
          issues.push({
            field: fk.name,
            code: 'cycle',
            message: `${fk.name} would make the record its own ancestor`,
          });
        }
      }
    }
    if (issues.length)
      throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
  }

  private checkVersion(object: ObjectDef, actual: number, expected?: number): void {
    if (expected !== undefined && expected !== actual) {
      throw new DomainError(
        'VERSION_MISMATCH',
        `The ${object.name} is at version ${actual}, not ${expected}; reload it and retry.`,
      );
    }
  }

  /**
   * Zero rows updated: the record is absent or invisible (404), visible but not writable by the
   * caller (403), or its version moved on (412).
   */
  private async explainMiss(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    expectedVersion?: number,
  ): Promise<never> {
    await this.checkWritable(em, ctx, object, id, expectedVersion);
    throw new DomainError('CONFLICT', `The ${object.name} changed concurrently; retry.`);
  }

  /**
   * 404 unless the caller may read the record (live, or any when `includeDeleted`), 403 unless
   * they may also write it, 412 if `expectedVersion` is not its version. One statement: the
   * write predicate is evaluated as a column of the readable row.
   */
  private async checkWritable(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    expectedVersion?: number,
    includeDeleted = false,
  ): Promise<void> {
    const params = new SqlParams([id]);
    const where = ['t."id" = $1::uuid'];
    if (object.softDelete && !includeDeleted) where.push('t."deleted_at" IS NULL');
    const visible = this.policy.readPredicate(ctx, object, LIST_ALIAS, params);
    if (visible) where.push(visible);
    const writable = this.policy.writePredicate(ctx, object, LIST_ALIAS, params) ?? 'TRUE';
    const rows: { version: number; writable: boolean }[] = await em.query(
      `SELECT t."version" AS "version", (${writable}) AS "writable" FROM ${table(object)} t WHERE ${where.join(' AND ')}`,
      params.values,
    );
    const current = rows[0];
    if (!current) throw this.notFound(object, id);
    if (!current.writable)
      throw new DomainError(
        'FORBIDDEN',
        `You may see this ${object.name} but not change it (record-level security: ask its owner or an administrator to share it with you for editing).`,
      );
    this.checkVersion(object, current.version, expectedVersion);
  }

  private notFound(object: ObjectDef, id: string): DomainError {
    return new DomainError('NOT_FOUND', `No ${object.name} with id ${id}.`);
  }
}

/** TypeORM's `query` returns `[rows, count]` for UPDATE … RETURNING on Postgres. */
/**
 * Wraps a write (`INSERT|UPDATE … RETURNING` with `"id"` and `"version"`) so that the same
 * statement appends its outbox event (migrations/0008_outbox.sql) for each row it wrote: the event
 * commits exactly with the write, at no extra round trip. The payload names the changed fields,
 * never their values.
 */
function withOutbox(
  write: string,
  ctx: RequestContext,
  object: ObjectDef,
  action: keyof typeof RECORD_EVENTS,
  params: SqlParams,
  fields?: string[],
): string {
  const type = params.add(`${object.plural}.${RECORD_EVENTS[action]}`);
  const name = params.add(object.plural);
  const changed = params.add(JSON.stringify(fields ?? []));
  const requestId = params.add(ctx.requestId);
  const channel = params.add(ctx.channel);
  return `WITH w AS (${write}), ob AS (
    INSERT INTO outbox_events (tenant_id, id, type, object, record_id, payload, request_id, channel)
    SELECT app_tenant_id(), uuid_v7(), ${type}, ${name}, w."id",
           jsonb_build_object('version', w."version", 'fields', ${changed}::jsonb), ${requestId}, ${channel}
      FROM w)
  SELECT * FROM w`;
}

function updatedRows(result: unknown): RecordData[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as RecordData[];
  return result as RecordData[];
}

export type { FilterNode };
