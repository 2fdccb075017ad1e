import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../context/request-context.js';
import { newId } from '../database/ids.js';
import { TenantDb } from '../database/tenant-db.js';
import { DomainError, FieldIssue } from '../http/domain-error.js';
import { toDomainError } from '../http/problem.js';
import {
  buildCountQuery,
  buildListQuery,
  encodeCursor,
  parseExpand,
  parseFields,
  parseFilterInput,
  parseLimit,
  parseSort,
  RANK_COLUMN,
  SqlParams,
  stripCursorColumns,
  type FilterNode,
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

/**
 * The generic record layer: list, get, create, update (merge patch), soft delete and restore for
 * any registered object, driven by its registry declaration. Every statement runs inside the
 * caller's tenant transaction (RLS), and every failure leaves as a DomainError (4xx) or INTERNAL.
 */
@Injectable()
export class RecordService {
  constructor(private readonly db: TenantDb) {}

  // ---------------------------------------------------------------------------------- reads

  async list(ctx: RequestContext, object: ObjectDef, options: ListOptions, scope?: ListScope): Promise<Page> {
    const filter = parseFilterInput(options.filter);
    const sort = parseSort(object, options.sort);
    const columns = this.columns(object, options.fields);
    const expand = parseExpand(registry, object, csv(options.expand) ?? null);
    return this.run(ctx, async (em) => {
      const params = new SqlParams();
      const extraWhere = scope ? [scope.where(params, 't')] : [];
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
      });
      const raw: RecordData[] = await em.query(query.sql, query.params);
      const hasMore = raw.length > query.limit;
      const pageRows = hasMore ? raw.slice(0, query.limit) : raw;
      const cursors = pageRows.map((r) => encodeCursor(query.sort, r));
      const data = pageRows.map((r) => stripCursorColumns(r));
      await this.expandInto(em, data, expand);
      const page: Page = { data, nextCursor: hasMore ? cursors[cursors.length - 1] : null, cursors };
      if (options.count) {
        const countParams = new SqlParams();
        const countWhere = scope ? [scope.where(countParams, 't')] : [];
        const count = buildCountQuery(registry, object, {
          filter,
          q: options.q,
          extraWhere: countWhere,
          params: countParams,
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
    const columns = this.columns(object, options.fields);
    const expand = parseExpand(registry, object, csv(options.expand) ?? null);
    return this.run(ctx, async (em) => {
      const row = await this.fetchOne(em, object, id, this.withForeignKeys(object, columns, expand));
      if (!row) throw this.notFound(object, id);
      await this.expandInto(em, [row], expand);
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
    return this.run(ctx, (em) => this.fetchMany(em, object, ids, object.fields));
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
    const filter = parseFilterInput(query.filter);
    const sort = parseSort(target, query.sort);
    return this.run(ctx, async (em) => {
      const params = new SqlParams();
      const parents = params.add(parentIds);
      const built = buildListQuery(registry, target, {
        filter,
        sort,
        cursor: query.after,
        limit: query.first,
        columns: target.fields,
        extraWhere: [`${col('t', fk.column)} = ANY(${parents}::uuid[])`],
        params,
        partitionBy: fk,
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
        page.rows.push(clean);
      }
      return out;
    });
  }

  // --------------------------------------------------------------------------------- writes

  async create(ctx: RequestContext, object: ObjectDef, input: RecordData): Promise<RecordData> {
    const values = this.writable(object, input, 'create');
    return this.run(ctx, async (em) => {
      const id = newId();
      await this.checkReferences(em, object, values, id);
      const params = new SqlParams();
      const cols = ['tenant_id', 'id'];
      const exprs = ['app_tenant_id()', `${params.add(id)}::uuid`];
      for (const [f, v] of values) {
        cols.push(f.column);
        exprs.push(valueSql(f, v, params));
      }
      const sql = `INSERT INTO ${table(object)} AS t (${cols.map(ident).join(', ')}) VALUES (${exprs.join(', ')}) RETURNING ${selectList(object.fields)}`;
      const rows: RecordData[] = await em.query(sql, params.values);
      return rows[0];
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
    return this.run(ctx, async (em) => {
      if (values.size === 0) {
        const current = await this.fetchOne(em, object, id, object.fields);
        if (!current) throw this.notFound(object, id);
        this.checkVersion(object, current.version as number, expectedVersion);
        return current;
      }
      await this.checkReferences(em, object, values, id);
      const params = new SqlParams();
      const sets = [...values].map(
        ([f, v]) =>
          `${ident(f.column)} = ${f.type === 'json' ? jsonMergeSql(f, v, params) : valueSql(f, v, params)}`,
      );
      sets.push(`"version" = t."version" + 1`, `"updated_at" = now()`);
      const where = [`t."id" = ${params.add(id)}::uuid`];
      if (object.softDelete) where.push('t."deleted_at" IS NULL');
      if (expectedVersion !== undefined) where.push(`t."version" = ${params.add(expectedVersion)}`);
      const sql = `UPDATE ${table(object)} AS t SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${selectList(object.fields)}`;
      const rows: RecordData[] = await em.query(sql, params.values).then(updatedRows);
      if (rows.length === 0) await this.explainMiss(em, object, id, expectedVersion);
      return rows[0];
    });
  }

  async remove(ctx: RequestContext, object: ObjectDef, id: string, expectedVersion?: number): Promise<void> {
    await this.run(ctx, async (em) => {
      const params = new SqlParams();
      const where = [`t."id" = ${params.add(id)}::uuid`, 't."deleted_at" IS NULL'];
      if (expectedVersion !== undefined) where.push(`t."version" = ${params.add(expectedVersion)}`);
      const sql = `UPDATE ${table(object)} AS t SET "deleted_at" = now(), "updated_at" = now(), "version" = t."version" + 1 WHERE ${where.join(' AND ')} RETURNING t."id"`;
      const rows = await em.query(sql, params.values).then(updatedRows);
      if (rows.length === 0) await this.explainMiss(em, object, id, expectedVersion);
    });
  }

  /** Undoes a soft delete. Restoring a record that is not deleted returns it unchanged. */
  async restore(ctx: RequestContext, object: ObjectDef, id: string): Promise<RecordData> {
    return this.run(ctx, async (em) => {
      const params = new SqlParams();
      const sql = `UPDATE ${table(object)} AS t SET "deleted_at" = NULL, "updated_at" = now(), "version" = t."version" + 1 WHERE t."id" = ${params.add(id)}::uuid AND t."deleted_at" IS NOT NULL RETURNING ${selectList(object.fields)}`;
      const rows: RecordData[] = await em.query(sql, params.values).then(updatedRows);
      if (rows.length > 0) return rows[0];
      const current = await this.fetchOne(em, object, id, object.fields);
      if (!current) throw this.notFound(object, id);
      return current;
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

  private field(object: ObjectDef, name: string): FieldDef {
    const f = registry.field(object, name);
    if (!f) throw new Error(`${object.name}.${name} is not declared`);
    return f;
  }

  private columns(object: ObjectDef, fields: string | string[] | undefined): FieldDef[] {
    return parseFields(object, csv(fields) ?? null) ?? object.fields;
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
    object: ObjectDef,
    id: string,
    fields: readonly FieldDef[],
  ): Promise<RecordData | undefined> {
    return (await this.fetchMany(em, object, [id], fields)).get(id);
  }

  private async fetchMany(
    em: EntityManager,
    object: ObjectDef,
    ids: readonly string[],
    fields: readonly FieldDef[],
  ): Promise<Map<string, RecordData>> {
    const live = object.softDelete ? ' AND t."deleted_at" IS NULL' : '';
    const idField = fields.some((f) => f.name === 'id') ? fields : [this.field(object, 'id'), ...fields];
    const rows: RecordData[] = await em.query(
      `SELECT ${selectList(idField)} FROM ${table(object)} t WHERE t."id" = ANY($1::uuid[])${live}`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id as string, r]));
  }

  private async expandInto(em: EntityManager, rows: RecordData[], expand: RelationDef[]): Promise<void> {
    if (rows.length === 0) return;
    for (const rel of expand) {
      if (rel.kind === 'toOne') await this.expandOne(em, rel, rows);
      else await this.expandMany(em, rel, rows);
    }
  }

  private async expandOne(em: EntityManager, rel: ToOneRelation, rows: RecordData[]): Promise<void> {
    const target = registry.get(rel.target);
    const ids = [...new Set(rows.map((r) => r[rel.field]).filter((v): v is string => typeof v === 'string'))];
    const found = ids.length
      ? await this.fetchMany(em, target, ids, target.fields)
      : new Map<string, RecordData>();
    for (const row of rows)
      row[rel.name] =
        typeof row[rel.field] === 'string' ? (found.get(row[rel.field] as string) ?? null) : null;
  }

  private async expandMany(em: EntityManager, rel: ToManyRelation, rows: RecordData[]): Promise<void> {
    const target = registry.get(rel.target);
    const fk = this.field(target, rel.foreignField);
    const params = new SqlParams();
    const parents = params.add(rows.map((r) => r.id));
    const built = buildListQuery(registry, target, {
      sort: target.defaultSort,
      limit: EXPAND_MANY_LIMIT,
      columns: target.fields,
      extraWhere: [`${col('t', fk.column)} = ANY(${parents}::uuid[])`],
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
      byParent.set(key, [...(byParent.get(key) ?? []), clean]);
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
          continue;
        }
      }
      const found = await this.fetchMany(em, target, [ref], [this.field(target, 'id')]);
      if (!found.has(ref))
        issues.push({
          field: fk.name,
          code: 'not_found',
          message: `${fk.name} refers to no ${target.name} (${ref})`,
        });
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

  /** Zero rows updated: either the record is absent (404) or its version moved on (412). */
  private async explainMiss(
    em: EntityManager,
    object: ObjectDef,
    id: string,
    expectedVersion?: number,
  ): Promise<never> {
    const current = await this.fetchOne(em, object, id, [this.field(object, 'version')]);
    if (!current) throw this.notFound(object, id);
    this.checkVersion(object, current.version as number, expectedVersion);
    throw new DomainError('CONFLICT', `The ${object.name} changed concurrently; retry.`);
  }

  private notFound(object: ObjectDef, id: string): DomainError {
    return new DomainError('NOT_FOUND', `No ${object.name} with id ${id}.`);
  }
}

/** TypeORM's `query` returns `[rows, count]` for UPDATE … RETURNING on Postgres. */
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
