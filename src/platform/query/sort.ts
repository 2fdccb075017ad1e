/**
 * Sort: `-createdAt,lastName` → SortTerm[] (at most 5 named terms), always ending with the `id`
 * tiebreak so the order is total and keyset cursors are exact. ORDER BY always spells out the
 * NULLS placement (`ASC NULLS LAST`, `DESC NULLS FIRST` — Postgres' defaults, so btree indexes
 * still serve it), and cursor.ts builds its keyset predicate to match.
 */
import { DomainError } from '../http/domain-error.js';
import type { FieldDef, ObjectDef, SortTerm } from '../registry/object-registry.js';
import type { CheckField } from './filter-compiler.js';
import { col } from './sql.js';

export type { SortTerm };

export const MAX_SORT_TERMS = 5;
export const ID_FIELD = 'id';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const UNSORTABLE_TYPES = new Set(['json', 'stringArray']);

function invalidSort(message: string, field = 'sort', code = 'INVALID'): DomainError {
  return new DomainError('INVALID_SORT', message, [{ field, code, message }]);
}

function sortField(object: ObjectDef, name: string, checkField?: CheckField): FieldDef {
  const field = object.fields.find((f) => f.name === name);
  if (!field) throw invalidSort(`unknown sort field '${name}' on ${object.name}`, name, 'UNKNOWN_FIELD');
  checkField?.(object, field);
  if (!field.sortable || UNSORTABLE_TYPES.has(field.type))
    throw invalidSort(`field ${name} cannot be sorted`, name, 'NOT_SORTABLE');
  return field;
}

/**
 * Validates structured sort terms (GraphQL input, saved views) and appends the `id asc` tiebreak
 * unless `id` is already among them. Empty → the object's default sort. At most 5 terms besides
 * `id`; duplicates are refused.
 */
export function resolveSort(
  object: ObjectDef,
  terms: readonly SortTerm[],
  checkField?: CheckField,
): SortTerm[] {
  const source = terms.length > 0 ? terms : object.defaultSort;
  const named = source.filter((t) => t.field !== ID_FIELD).length;
  if (named > MAX_SORT_TERMS)
    throw invalidSort(`sort takes at most ${MAX_SORT_TERMS} fields`, 'sort', 'TOO_MANY_TERMS');
  const seen = new Set<string>();
  const out: SortTerm[] = [];
  for (const term of source) {
    if (term.direction !== 'asc' && term.direction !== 'desc')
      throw invalidSort(
        `sort direction for '${term.field}' must be asc or desc`,
        term.field,
        'INVALID_DIRECTION',
      );
    if (seen.has(term.field)) throw invalidSort(`sort names '${term.field}' twice`, term.field, 'DUPLICATE');
    seen.add(term.field);
    sortField(object, term.field, checkField);
    out.push({ field: term.field, direction: term.direction });
  }
  if (!seen.has(ID_FIELD)) {
    sortField(object, ID_FIELD, checkField);
    out.push({ field: ID_FIELD, direction: 'asc' });
  }
  return out;
}

/** Parses `-createdAt,lastName` (`-` descending, optional `+` ascending); blank → default sort. */
export function parseSort(object: ObjectDef, text: string | undefined, checkField?: CheckField): SortTerm[] {
  if (text !== undefined && typeof text !== 'string') throw invalidSort('sort must be a string');
  const trimmed = (text ?? '').trim();
  if (trimmed.length === 0) return resolveSort(object, [], checkField);
  if (trimmed.length > 500) throw invalidSort('sort is too long');
  const terms = trimmed.split(',').map((raw): SortTerm => {
    let name = raw.trim();
    let direction: SortTerm['direction'] = 'asc';
    if (name.startsWith('-')) {
      direction = 'desc';
      name = name.slice(1);
    } else if (name.startsWith('+')) {
      name = name.slice(1);
    }
    if (!NAME_RE.test(name))
      throw invalidSort(
        name.length === 0 ? 'sort has an empty term' : `invalid sort term '${raw.trim().slice(0, 60)}'`,
        'sort',
        'SYNTAX',
      );
    return { field: name, direction };
  });
  return resolveSort(object, terms, checkField);
}

/** `t."last_name" ASC NULLS LAST, t."id" ASC NULLS LAST` (without the ORDER BY keyword). */
export function orderBySql(object: ObjectDef, terms: readonly SortTerm[], alias: string): string {
  return terms
    .map((term) => {
      const field = object.fields.find((f) => f.name === term.field);
      if (!field) throw new Error(`sort field ${object.name}.${term.field} is not declared`);
      return `${col(alias, field.column)} ${term.direction === 'desc' ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`;
    })
    .join(', ');
}

/** The canonical text of a sort (`-createdAt,id`); cursors carry it to detect a changed sort. */
export function sortSignature(terms: readonly SortTerm[]): string {
  return terms.map((t) => `${t.direction === 'desc' ? '-' : ''}${t.field}`).join(',');
}
