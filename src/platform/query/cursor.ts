/**
 * Opaque keyset cursors.
 *
 * Contract (buildListQuery follows it; anyone writing their own list SQL must too):
 * 1. The list query selects, besides the API columns, the hidden items from
 *    `cursorSelectSql(object, terms, alias)`: `__c0`, `__c1`, … — each sort column (the sort
 *    ends with the `id` tiebreak) rendered as text by Postgres. Datetimes are rendered as
 *    `YYYY-MM-DDTHH:MI:SS.ffffffZ` in UTC: node-pg turns timestamptz into a JS Date and loses
 *    the microseconds, which would make the keyset skip or repeat rows; text keeps them exact.
 * 2. It orders with `orderBySql(object, terms, alias)` (explicit NULLS LAST for ASC, NULLS FIRST
 *    for DESC) and fetches `limit + 1` rows; a next page exists when more than `limit` came back.
 * 3. `encodeCursor(terms, lastRowOfPage)` reads `__c0…` from the raw row and returns base64url
 *    of `{"v":1,"s":"<sort signature>","k":[values]}`. Strip the `__c*` keys before returning
 *    rows to clients (`stripCursorColumns`, or `toPage` in list-query.ts does all of step 3).
 * 4. The next request passes the cursor to `keysetPredicate(object, terms, cursor, params,
 *    alias)`, which yields "row comes strictly after the cursor row" in that same order: an
 *    expanded OR form (works for mixed directions and NULLs), or a row comparison when every
 *    column is NOT NULL and all directions agree.
 *
 * Cursors are not signed and never expire; every value in them is checked against its field's
 * type before it becomes a parameter, and a cursor made for another sort, or garbage, is
 * INVALID_CURSOR (400). A cursor keeps working if the filter changes between pages (it is a
 * position in the sort order, not a snapshot).
 */
import { DomainError } from '../http/domain-error.js';
import type { FieldDef, ObjectDef, SortTerm } from '../registry/object-registry.js';
import { SQL_TYPE } from './filter-compiler.js';
import { sortSignature } from './sort.js';
import type { SqlParams } from './sql.js';
import { col, ident } from './sql.js';
import { isCursorTimestamp, isInt8Text, isNumericText, isStorableText, isUuid } from './values.js';

export const CURSOR_COLUMN_PREFIX = '__c';
export const MAX_CURSOR_LENGTH = 32_768;
const CURSOR_VERSION = 1;

export type CursorValue = string | null;

function invalidCursor(message: string): DomainError {
  return new DomainError('INVALID_CURSOR', message, [{ field: 'cursor', code: 'INVALID_CURSOR', message }]);
}

function sortFields(object: ObjectDef, terms: readonly SortTerm[]): FieldDef[] {
  return terms.map((term) => {
    const field = object.fields.find((f) => f.name === term.field);
    if (!field) throw new Error(`sort field ${object.name}.${term.field} is not declared`);
    return field;
  });
}

/** Name of the hidden select item carrying sort column `i`. */
export function cursorColumn(i: number): string {
  return `${CURSOR_COLUMN_PREFIX}${i}`;
}

/** The hidden select items (`t."created_at"…::text AS "__c0"`, …) a list query must include. */
export function cursorSelectSql(object: ObjectDef, terms: readonly SortTerm[], alias: string): string[] {
  return sortFields(object, terms).map((field, i) => {
    const c = col(alias, field.column);
    const expr =
      field.type === 'datetime'
        ? `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
        : `${c}::text`;
    return `${expr} AS ${ident(cursorColumn(i))}`;
  });
}

/** Builds the cursor for the position after `row` (a raw row that includes `__c0…`). */
export function encodeCursor(terms: readonly SortTerm[], row: Record<string, unknown>): string {
  const values = terms.map((_term, i) => {
    const value = row[cursorColumn(i)];
    if (value === null || typeof value === 'string') return value;
    throw new Error(
      `encodeCursor: row lacks ${cursorColumn(i)}; select cursorSelectSql(…) in the list query`,
    );
  });
  const payload = { v: CURSOR_VERSION, s: sortSignature(terms), k: values };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function valueFits(field: FieldDef, value: string): boolean {
  switch (field.type) {
    case 'integer':
      return isInt8Text(value);
    case 'decimal':
      return isNumericText(value);
    case 'boolean':
      return value === 'true' || value === 'false';
    case 'uuid':
      return isUuid(value);
    case 'datetime':
      return isCursorTimestamp(value);
    case 'string':
    case 'text':
    case 'enum':
      return isStorableText(value);
    default:
      return false;
  }
}

/** Decodes and checks a cursor against the sort it is used with; throws INVALID_CURSOR (400). */
export function decodeCursor(object: ObjectDef, terms: readonly SortTerm[], cursor: unknown): CursorValue[] {
  if (typeof cursor !== 'string' || cursor.length === 0)
    throw invalidCursor('cursor must be a non-empty string');
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw invalidCursor('cursor is malformed');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('cursor is malformed');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw invalidCursor('cursor is malformed');
  const { v, s, k } = payload as { v?: unknown; s?: unknown; k?: unknown };
  if (v !== CURSOR_VERSION || typeof s !== 'string' || !Array.isArray(k))
    throw invalidCursor('cursor is malformed');
  if (s !== sortSignature(terms))
    throw invalidCursor('cursor was issued for a different sort; pass the same sort as the first page');
  const fields = sortFields(object, terms);
  if (k.length !== fields.length) throw invalidCursor('cursor is malformed');
  return fields.map((field, i) => {
    const value: unknown = k[i];
    if (value === null) return null;
    if (typeof value !== 'string' || !valueFits(field, value)) throw invalidCursor('cursor is malformed');
    return value;
  });
}

/**
 * SQL for "row comes strictly after the cursor row" under `orderBySql(object, terms, alias)`.
 * NULL sorts as the greatest value in both directions (ASC NULLS LAST, DESC NULLS FIRST).
 */
export function keysetPredicate(
  object: ObjectDef,
  terms: readonly SortTerm[],
  cursor: string,
  params: SqlParams,
  alias: string,
): string {
  const values = decodeCursor(object, terms, cursor);
  const fields = sortFields(object, terms);
  const cols = fields.map((f) => col(alias, f.column));
  const placeholders = values.map((value, i) =>
    value === null ? 'NULL' : `${params.add(value)}::${SQL_TYPE[fields[i]!.type]}`,
  );

  const direction = terms[0]!.direction;
  const uniform = terms.every((t) => t.direction === direction);
  const noNulls = fields.every((f) => !f.nullable) && values.every((v) => v !== null);
  if (uniform && noNulls) {
    const op = direction === 'asc' ? '>' : '<';
    return `(${cols.join(', ')}) ${op} (${placeholders.join(', ')})`;
  }

  const equal = (i: number) =>
    values[i] === null ? `${cols[i]} IS NULL` : `${cols[i]} = ${placeholders[i]}`;
  const after = (i: number): string | undefined => {
    const c = cols[i]!;
    const p = placeholders[i]!;
    if (terms[i]!.direction === 'asc') {
      if (values[i] === null) return undefined; // nothing sorts after NULL
      return fields[i]!.nullable ? `(${c} > ${p} OR ${c} IS NULL)` : `${c} > ${p}`;
    }
    if (values[i] === null) return `${c} IS NOT NULL`; // every value sorts after NULL
    return `${c} < ${p}`;
  };

  const disjuncts: string[] = [];
  for (let i = 0; i < terms.length; i += 1) {
    const tail = after(i);
    if (tail === undefined) continue;
    const parts = [...Array.from({ length: i }, (_x, j) => equal(j)), tail];
    disjuncts.push(parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`);
  }
  if (disjuncts.length === 0) return 'FALSE';
  const expanded = disjuncts.length === 1 ? disjuncts[0]! : `(${disjuncts.join(' OR ')})`;
  // A bound on the leading column lets an index range scan start at the cursor.
  if (!fields[0]!.nullable && values[0] !== null) {
    const bound = `${cols[0]} ${direction === 'asc' ? '>=' : '<='} ${placeholders[0]}`;
    return `(${bound} AND ${expanded})`;
  }
  return expanded;
}

/** Removes the hidden `__c*` items from a row before it goes to a client. */
export function stripCursorColumns<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (!/^__c\d+$/.test(key)) out[key] = value;
  }
  return out;
}
