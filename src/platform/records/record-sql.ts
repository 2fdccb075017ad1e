import type { FieldDef, ObjectDef } from '../registry/object-registry.js';
import { col, ident, SqlParams } from '../query/sql.js';

/** `t."first_name" AS "firstName", …` for the given fields. */
export function selectList(fields: readonly FieldDef[], alias = 't'): string {
  return fields.map((f) => `${col(alias, f.column)} AS ${ident(f.name)}`).join(', ');
}

/** The SQL value expression for writing `value` into `field` (JSON and arrays need casts). */
export function valueSql(field: FieldDef, value: unknown, params: SqlParams): string {
  if (value === null) return 'NULL';
  switch (field.type) {
    case 'json':
      return `${params.add(JSON.stringify(value))}::jsonb`;
    case 'stringArray':
      return `${params.add(value)}::text[]`;
    case 'decimal':
      return `${params.add(value)}::numeric`;
    case 'datetime':
      return `${params.add(value)}::timestamptz`;
    case 'uuid':
      return `${params.add(value)}::uuid`;
    default:
      return params.add(value);
  }
}

/**
 * Merge-patch a JSON column: keys in the patch replace, `null` removes a key (RFC 7396, one
 * level deep, which is as deep as Rapport's JSON fields go).
 */
export function jsonMergeSql(field: FieldDef, value: unknown, params: SqlParams, alias = 't'): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return valueSql(field, value, params);
  return `nullif(jsonb_strip_nulls(coalesce(${col(alias, field.column)}, '{}'::jsonb) || ${params.add(JSON.stringify(value))}::jsonb), '{}'::jsonb)`;
}

export function table(object: ObjectDef): string {
  return ident(object.table);
}
