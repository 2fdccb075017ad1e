/**
 * `fields=` and `expand=` list parameters: comma-separated API names checked against the registry.
 */
import { DomainError } from '../http/domain-error.js';
import type { FieldDef, ObjectDef, ObjectRegistry, RelationDef } from '../registry/object-registry.js';
import type { CheckField } from './filter-compiler.js';

export const MAX_EXPAND = 10;

function names(text: string, param: string, code: 'INVALID_FIELDS' | 'INVALID_EXPAND'): string[] {
  if (typeof text !== 'string') throw new DomainError(code, `${param} must be a string`);
  if (text.length > 2000)
    throw new DomainError(code, `${param} is too long`, [
      { field: param, code, message: `${param} is too long` },
    ]);
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name.length === 0) continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * `fields=id,email` → the fields to return, `id` always first. Blank/absent → undefined (the
 * caller's default: every field the principal may read). Unknown → INVALID_FIELDS (400) naming
 * it; `checkField` may refuse hidden ones.
 */
export function parseFields(
  object: ObjectDef,
  text: string | undefined | null,
  checkField?: CheckField,
): FieldDef[] | undefined {
  if (text === undefined || text === null) return undefined;
  const list = names(text, 'fields', 'INVALID_FIELDS');
  if (list.length === 0) return undefined;
  const fields: FieldDef[] = [];
  const unknown = list.filter((name) => !object.fields.some((f) => f.name === name));
  if (unknown.length > 0) {
    const message = `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n.slice(0, 60)}'`).join(', ')} on ${object.name}`;
    throw new DomainError(
      'INVALID_FIELDS',
      message,
      unknown.map((n) => ({
        field: n.slice(0, 100),
        code: 'UNKNOWN_FIELD',
        message: `unknown field '${n.slice(0, 60)}'`,
      })),
    );
  }
  for (const name of ['id', ...list]) {
    const field = object.fields.find((f) => f.name === name);
    if (!field || fields.includes(field)) continue;
    checkField?.(object, field);
    fields.push(field);
  }
  return fields;
}

/** `expand=account,contacts` → the relations to load; unknown → INVALID_EXPAND (400) naming it. */
export function parseExpand(
  registry: ObjectRegistry,
  object: ObjectDef,
  text: string | undefined | null,
): RelationDef[] {
  if (text === undefined || text === null) return [];
  const list = names(text, 'expand', 'INVALID_EXPAND');
  if (list.length > MAX_EXPAND)
    throw new DomainError('INVALID_EXPAND', `expand takes at most ${MAX_EXPAND} relations`, [
      { field: 'expand', code: 'TOO_MANY', message: `expand takes at most ${MAX_EXPAND} relations` },
    ]);
  return list.map((name) => {
    const rel = registry.relation(object, name);
    if (!rel) {
      const message = `unknown relation '${name.slice(0, 60)}' on ${object.name}`;
      throw new DomainError('INVALID_EXPAND', message, [
        { field: name.slice(0, 100), code: 'UNKNOWN_RELATION', message },
      ]);
    }
    return rel;
  });
}
