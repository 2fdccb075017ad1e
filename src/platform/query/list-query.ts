/**
 * Builds the complete list (and count) SQL for one registry object:
 *
 *   SELECT t."col" AS "apiName", …, <cursor items __c0…>
 *   FROM "table" t
 *   WHERE t."deleted_at" IS NULL            -- soft-deletable objects
 *     AND <extraWhere…>                     -- caller's predicates (record-level security, scopes)
 *     AND <filter>                          -- compileFilter
 *     AND t."search" @@ websearch_to_tsquery('simple', $n)   -- q
 *     AND <keyset predicate>                -- cursor
 *   ORDER BY <sort, NULLS explicit, id tiebreak>
 *   LIMIT <limit + 1>
 *
 * The main table is always aliased `t` (LIST_ALIAS); `extraWhere` strings must use it and must
 * put their values into the `params` passed in. Tenant isolation is RLS: run the SQL inside the
 * tenant transaction. See cursor.ts for the cursor contract; `toPage` finishes a page.
 */
import { DomainError } from '../http/domain-error.js';
import type { FieldDef, ObjectDef, ObjectRegistry, SortTerm } from '../registry/object-registry.js';
import { cursorSelectSql, encodeCursor, keysetPredicate, stripCursorColumns } from './cursor.js';
import type { FilterNode } from './filter-ast.js';
import { invalidFilter, isPlainObject, validateFilter } from './filter-ast.js';
import type { CheckField, RelationScope } from './filter-compiler.js';
import { compileFilter, DELETED_COLUMN } from './filter-compiler.js';
import { parseFilter } from './filter-parser.js';
import { orderBySql, resolveSort } from './sort.js';
import { col, ident, SqlParams } from './sql.js';
import { isStorableText } from './values.js';

export const LIST_ALIAS = 't';
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
export const MAX_Q_LENGTH = 500;
/** Text-search configuration of the generated `search` tsvector columns (migrations). */
export const SEARCH_CONFIG = 'simple';

export interface WhereOptions {
  filter?: FilterNode;
  /** full-text search; blank or null means none */
  q?: string | null;
  /** SQL predicates over alias `t`, ANDed in; their values must already be in `params` */
  extraWhere?: readonly string[];
  /** pass one to share numbering with `extraWhere`; a fresh one is made otherwise */
  params?: SqlParams;
  checkField?: CheckField;
  relationScope?: RelationScope;
}

/** Hidden rank column of a partitioned list (one page per parent). */
export const RANK_COLUMN = '__rank';

export interface ListQueryOptions extends WhereOptions {
  /**
   * A trusted caller's page size (an export's chunk), used instead of the API's `limit` and its
   * maximum: the API caps what a client asks for, not what the server reads in one statement.
   */
  pageSize?: number;
  /**
   * Page per value of this column (a foreign key) instead of one page overall: the rows come
   * ordered by it, each partition in the sort order, at most limit + 1 per partition, each with
   * its `__rank`. The column must be among `columns`.
   */
  partitionBy?: FieldDef;
  /** from parseSort/resolveSort; validated again and given the id tiebreak if missing */
  sort: readonly SortTerm[];
  /** the `nextCursor` of the previous page; blank or null means the first page */
  cursor?: string | null;
  /** page size, 1..MAX_LIMIT (default 50; ignored with `pageSize`); the SQL fetches limit + 1 rows */
  limit?: number;
  /** API columns to select, as `"column" AS "apiName"` */
  columns: readonly FieldDef[];
}

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

export interface BuiltListQuery extends BuiltQuery {
  /** the effective sort (with tiebreak) — pass it to encodeCursor/toPage */
  sort: SortTerm[];
  limit: number;
}

function badRequest(message: string, field: string, code = 'INVALID'): DomainError {
  return new DomainError('BAD_REQUEST', message, [{ field, code, message }]);
}

/** `limit` from a query string, body or GraphQL `first`: default 50; 1..200, over 200 is a 400. */
export function parseLimit(input: unknown): number {
  if (input === undefined || input === null || input === '') return DEFAULT_LIMIT;
  const n = typeof input === 'string' && /^\s*\d+\s*$/.test(input) ? Number(input) : input;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw badRequest('limit must be a positive integer', 'limit');
  if (n > MAX_LIMIT)
    throw new DomainError('LIMIT_TOO_LARGE', `limit may be at most ${MAX_LIMIT}`, [
      { field: 'limit', code: 'LIMIT_TOO_LARGE', message: `limit may be at most ${MAX_LIMIT}` },
    ]);
  return n;
}

/**
 * A filter as REST `?filter=` or a search body sends it: a filter string (parsed), a JSON string
 * starting with `{` (parsed as the AST), or an AST object (validated). Absent (undefined, null,
 * blank string) → undefined.
 */
export function parseFilterInput(input: unknown): FilterNode | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.length === 0) return undefined;
    if (text.startsWith('{')) {
      if (text.length > 100_000) throw invalidFilter('filter JSON is too long', 'filter', 'TOO_LONG');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw invalidFilter('filter starts with { but is not valid JSON', 'filter', 'SYNTAX');
      }
      return validateFilter(json);
    }
    return parseFilter(input);
  }
  if (isPlainObject(input)) return validateFilter(input);
  throw invalidFilter('filter must be a filter string or a filter object', 'filter', 'INVALID');
}

function searchPredicate(object: ObjectDef, q: unknown, params: SqlParams): string {
  if (typeof q !== 'string') throw badRequest('q must be a string', 'q');
  if (!object.searchColumn)
    throw badRequest(`object ${object.name} does not support q`, 'q', 'NOT_SUPPORTED');
  if (q.length > MAX_Q_LENGTH)
    throw badRequest(`q is limited to ${MAX_Q_LENGTH} characters`, 'q', 'TOO_LONG');
  if (!isStorableText(q)) throw badRequest('q may not contain the NUL character', 'q');
  return `${col(LIST_ALIAS, object.searchColumn)} @@ websearch_to_tsquery('${SEARCH_CONFIG}', ${params.add(q.trim())}::text)`;
}

function whereClauses(
  registry: ObjectRegistry,
  object: ObjectDef,
  opts: WhereOptions,
  params: SqlParams,
): string[] {
  const where: string[] = [];
  if (object.softDelete) where.push(`${col(LIST_ALIAS, DELETED_COLUMN)} IS NULL`);
  for (const extra of opts.extraWhere ?? []) where.push(`(${extra})`);
  if (opts.filter !== undefined) {
    where.push(
      compileFilter(registry, object, opts.filter, params, {
        alias: LIST_ALIAS,
        checkField: opts.checkField,
        relationScope: opts.relationScope,
      }),
    );
  }
  const q: unknown = opts.q;
  if (q !== undefined && q !== null && !(typeof q === 'string' && q.trim() === ''))
    where.push(searchPredicate(object, q, params));
  return where;
}

const whereSql = (where: string[]) => (where.length > 0 ? `\nWHERE ${where.join('\n  AND ')}` : '');

/** The page query; see the file header. Throws DomainError (4xx) for every bad input. */
export function buildListQuery(
  registry: ObjectRegistry,
  object: ObjectDef,
  opts: ListQueryOptions,
): BuiltListQuery {
  const limit = opts.pageSize ?? parseLimit(opts.limit);
  const params = opts.params ?? new SqlParams();
  const sort = resolveSort(object, opts.sort, opts.checkField);
  const where = whereClauses(registry, object, opts, params);
  if (opts.cursor !== undefined && opts.cursor !== null && opts.cursor !== '')
    where.push(keysetPredicate(object, sort, opts.cursor, params, LIST_ALIAS));
  const select = [
    ...opts.columns.map((f) => `${col(LIST_ALIAS, f.column)} AS ${ident(f.name)}`),
    ...cursorSelectSql(object, sort, LIST_ALIAS),
  ];
  const order = orderBySql(object, sort, LIST_ALIAS);
  if (opts.partitionBy) {
    // One page per parent in one statement: rank rows inside each partition, keep limit + 1 each.
    const fk = opts.partitionBy;
    const ranked =
      `SELECT ${select.join(', ')}, row_number() OVER (PARTITION BY ${col(LIST_ALIAS, fk.column)} ORDER BY ${order}) AS "${RANK_COLUMN}"` +
      `\nFROM ${ident(object.table)} ${LIST_ALIAS}${whereSql(where)}`;
    const sql = `SELECT * FROM (${ranked}) ranked\nWHERE "${RANK_COLUMN}" <= ${limit + 1}\nORDER BY ${ident(fk.name)}, "${RANK_COLUMN}"`;
    return { sql, params: params.values, sort, limit };
  }
  const sql =
    `SELECT ${select.join(', ')}\nFROM ${ident(object.table)} ${LIST_ALIAS}${whereSql(where)}` +
    `\nORDER BY ${order}\nLIMIT ${limit + 1}`;
  return { sql, params: params.values, sort, limit };
}

/** `SELECT count(*)::int AS "total" …` with the same WHERE as the list (no cursor). */
export function buildCountQuery(registry: ObjectRegistry, object: ObjectDef, opts: WhereOptions): BuiltQuery {
  const params = opts.params ?? new SqlParams();
  const where = whereClauses(registry, object, opts, params);
  return {
    sql: `SELECT count(*)::int AS "total"\nFROM ${ident(object.table)} ${LIST_ALIAS}${whereSql(where)}`,
    params: params.values,
  };
}

export interface Page {
  /** at most `limit` rows, hidden cursor items removed */
  rows: Record<string, unknown>[];
  nextCursor: string | null;
}

/** Turns the `limit + 1` rows of a list query into a page and its next cursor. */
export function toPage(
  rows: readonly Record<string, unknown>[],
  query: Pick<BuiltListQuery, 'sort' | 'limit'>,
): Page {
  const hasMore = rows.length > query.limit;
  const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
  return {
    rows: pageRows.map((row) => stripCursorColumns(row)),
    nextCursor: hasMore ? encodeCursor(query.sort, pageRows[pageRows.length - 1]!) : null,
  };
}
