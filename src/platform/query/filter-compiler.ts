/**
 * Compiles a filter AST into one parameterised SQL boolean expression over a registry object.
 *
 * - Columns come from the registry only (quoted identifiers); values are always `$n` parameters
 *   with an explicit cast, and every value is type-checked first, so no cast can fail in Postgres.
 * - Every leaf is two-valued (never SQL NULL): comparisons on nullable columns are guarded with
 *   `col IS NOT NULL AND …`, `ne` is `IS DISTINCT FROM`, relations are `EXISTS`. Hence `not X`
 *   is exactly the complement of `X` (e.g. `not (score gt 5)` includes rows whose score is null).
 * - To-one paths (`account.industry eq 'x'`) and `any` (`contacts any (…)`) become correlated
 *   `EXISTS` subqueries on the related table (tenant-correlated, soft-deleted rows excluded, with
 *   fresh aliases r1, r2, … so they nest). A condition on a to-one path is true only when the
 *   related record exists and matches; `not (…)` is `NOT EXISTS`.
 * - `checkField(object, field)` is called for every field a filter reads: leaf fields, and the
 *   foreign-key fields that relation hops go through (so field-level security can refuse them).
 *   `relationScope(target, alias, params)` may add a predicate to every relation subquery
 *   (record-level security for related records).
 */
import type {
  FieldDef,
  FieldType,
  ObjectDef,
  ObjectRegistry,
  RelationDef,
} from '../registry/object-registry.js';
import type { FilterNode, NormNode, Operator, Scalar } from './filter-ast.js';
import { invalidFilter, normalizeFilter } from './filter-ast.js';
import type { SqlParams } from './sql.js';
import { col, ident } from './sql.js';
import { DECIMAL_RE, isUuid, normalizeDateTime, preview } from './values.js';

/** The column every tenant-owned table leads with (DESIGN §5). */
export const TENANT_COLUMN = 'tenant_id';
export const DELETED_COLUMN = 'deleted_at';

export type CheckField = (object: ObjectDef, field: FieldDef) => void;
export type RelationScope = (object: ObjectDef, alias: string, params: SqlParams) => string | undefined;

export interface CompileOptions {
  /** alias of the object's table in the surrounding query, e.g. `t` */
  alias: string;
  checkField?: CheckField;
  relationScope?: RelationScope;
}

/** Operators each field type accepts (`eq null`/`ne null` count as `isNull`). */
export const OPERATORS_BY_TYPE: Readonly<Record<FieldType, readonly Operator[]>> = {
  string: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'contains', 'startswith', 'endswith', 'isNull'],
  text: ['eq', 'ne', 'in', 'contains', 'startswith', 'endswith', 'isNull'],
  enum: ['eq', 'ne', 'in', 'isNull'],
  integer: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'isNull'],
  decimal: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'isNull'],
  datetime: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'isNull'],
  uuid: ['eq', 'ne', 'in', 'isNull'],
  boolean: ['eq', 'ne', 'in', 'isNull'],
  stringArray: ['contains', 'isNull'],
  json: [],
};

/** The SQL type a parameter is cast to, per field type. */
export const SQL_TYPE: Readonly<Record<FieldType, string>> = {
  string: 'text',
  text: 'text',
  enum: 'text',
  integer: 'bigint',
  decimal: 'numeric',
  datetime: 'timestamptz',
  uuid: 'uuid',
  boolean: 'boolean',
  stringArray: 'text',
  json: 'jsonb',
};

const SQL_OP: Partial<Record<Operator, string>> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

const TYPE_WORDS: Record<FieldType, string> = {
  string: 'a string',
  text: 'a string',
  enum: 'one of the allowed values',
  integer: 'an integer',
  decimal: 'a number or a decimal string',
  datetime: "an ISO-8601 date-time string such as '2024-05-01T12:00:00Z'",
  uuid: 'a UUID string',
  boolean: 'true or false',
  stringArray: 'a string',
  json: 'nothing (json fields cannot be filtered)',
};

/** Escapes `\`, `%` and `_` so a client value matches literally inside a LIKE pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Checks one value against a field type and returns the parameter value (cast per SQL_TYPE). */
export function coerceValue(field: FieldDef, value: Scalar, at: string): unknown {
  const mismatch = () =>
    invalidFilter(
      `field '${at}' expects ${TYPE_WORDS[field.type]}, got ${preview(value)}`,
      at,
      'TYPE_MISMATCH',
    );
  switch (field.type) {
    case 'string':
    case 'text':
    case 'stringArray':
      if (typeof value !== 'string') throw mismatch();
      return value;
    case 'enum': {
      if (typeof value !== 'string') throw mismatch();
      const allowed = field.enumValues;
      if (allowed && !allowed.includes(value))
        throw invalidFilter(
          `field '${at}' must be one of ${allowed.map((v) => `'${v}'`).join(', ')}; got ${preview(value)}`,
          at,
          'INVALID_ENUM_VALUE',
        );
      return value;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw mismatch();
      return value;
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'string' && DECIMAL_RE.test(value)) return value;
      throw mismatch();
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch();
      return value;
    case 'uuid':
      if (typeof value !== 'string' || !isUuid(value)) throw mismatch();
      return value.toLowerCase();
    case 'datetime': {
      const normal = typeof value === 'string' ? normalizeDateTime(value) : undefined;
      if (normal === undefined) throw mismatch();
      return normal;
    }
    case 'json':
      throw mismatch();
  }
}

class FilterCompiler {
  constructor(
    private readonly registry: ObjectRegistry,
    private readonly params: SqlParams,
    private readonly opts: CompileOptions,
  ) {}

  node(object: ObjectDef, alias: string, node: NormNode): string {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const parts = node.items.map((item) => this.node(object, alias, item));
        return parts.length === 1 ? parts[0]! : `(${parts.join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not':
        return `NOT (${this.node(object, alias, node.item)})`;
      case 'cond':
        return this.path(object, alias, node.path, node.at, (obj, a, name) =>
          this.condition(obj, a, name, node),
        );
      case 'any':
        return this.path(object, alias, node.path, node.at, (obj, a, name) => {
          const rel = this.registry.relation(obj, name);
          if (!rel) {
            const what = this.registry.field(obj, name)
              ? 'a field, not a relation'
              : `not a relation of ${obj.name}`;
            throw invalidFilter(
              `'${node.at}': '${name}' is ${what}; any needs a relation`,
              node.at,
              'NOT_A_RELATION',
            );
          }
          return this.exists(obj, a, rel, (target, r) => this.node(target, r, node.filter));
        });
    }
  }

  /** Walks to-one hops of a path, wrapping the leaf in EXISTS subqueries. */
  private path(
    object: ObjectDef,
    alias: string,
    segments: readonly string[],
    at: string,
    leaf: (object: ObjectDef, alias: string, name: string) => string,
  ): string {
    const [head, ...rest] = segments;
    if (rest.length === 0) return leaf(object, alias, head!);
    const rel = this.registry.relation(object, head!);
    if (!rel) {
      const message = this.registry.field(object, head!)
        ? `'${at}': '${head}' is a field, not a relation`
        : `unknown relation '${head}' on ${object.name} in '${at}'`;
      throw invalidFilter(message, at, 'UNKNOWN_FIELD');
    }
    if (rel.kind === 'toMany')
      throw invalidFilter(
        `'${at}': '${head}' is a to-many relation; use ${head} any (…) to filter on its records`,
        at,
        'TO_MANY_PATH',
      );
    return this.exists(object, alias, rel, (target, r) => this.path(target, r, rest, at, leaf));
  }

  private field(object: ObjectDef, name: string, purpose: string): FieldDef {
    const field = this.registry.field(object, name);
    if (!field) throw new Error(`registry: ${object.name}.${name} (${purpose}) is not declared`);
    this.opts.checkField?.(object, field);
    return field;
  }

  private exists(
    object: ObjectDef,
    alias: string,
    rel: RelationDef,
    inner: (target: ObjectDef, alias: string) => string,
  ): string {
    const target = this.registry.get(rel.target);
    const r = this.params.alias();
    let link: string;
    if (rel.kind === 'toOne') {
      const fk = this.field(object, rel.field, `foreign key of ${rel.name}`);
      const id = this.registry.field(target, 'id');
      if (!id) throw new Error(`registry: ${target.name} has no id field`);
      link = `${col(r, id.column)} = ${col(alias, fk.column)}`;
    } else {
      const fk = this.field(target, rel.foreignField, `foreign key of ${object.name}.${rel.name}`);
      const id = this.registry.field(object, 'id');
      if (!id) throw new Error(`registry: ${object.name} has no id field`);
      link = `${col(r, fk.column)} = ${col(alias, id.column)}`;
    }
    const where = [`${col(r, TENANT_COLUMN)} = ${col(alias, TENANT_COLUMN)}`, link];
    if (target.softDelete) where.push(`${col(r, DELETED_COLUMN)} IS NULL`);
    const scope = this.opts.relationScope?.(target, r, this.params);
    if (scope) where.push(`(${scope})`);
    where.push(inner(target, r));
    return `EXISTS (SELECT 1 FROM ${ident(target.table)} ${r} WHERE ${where.join(' AND ')})`;
  }

  private condition(
    object: ObjectDef,
    alias: string,
    name: string,
    node: Extract<NormNode, { kind: 'cond' }>,
  ): string {
    const { at, value } = node;
    const field = this.registry.field(object, name);
    if (!field) {
      const message = this.registry.relation(object, name)
        ? `'${at}' is a relation; filter on one of its fields ('${at}.name') or use '${at} any (…)'`
        : `unknown field '${at}' on ${object.name}`;
      throw invalidFilter(message, at, 'UNKNOWN_FIELD');
    }
    this.opts.checkField?.(object, field);
    if (!field.filterable || field.type === 'json')
      throw invalidFilter(`field ${at} cannot be filtered`, at, 'NOT_FILTERABLE');

    const c = col(alias, field.column);
    let op = node.op;
    if ((op === 'eq' || op === 'ne') && value === null) {
      op = 'isNull';
    }
    const supported = OPERATORS_BY_TYPE[field.type];
    if (!supported.includes(op)) {
      const shown = op === 'isNull' ? 'is null' : op;
      throw invalidFilter(
        `operator ${shown} is not supported for field '${at}' (${field.type}); supported: ${supported.map((o) => (o === 'isNull' ? 'is null' : o)).join(', ')}`,
        at,
        'UNSUPPORTED_OPERATOR',
      );
    }
    const guard = (expr: string) => (field.nullable ? `(${c} IS NOT NULL AND ${expr})` : expr);
    const cast = SQL_TYPE[field.type];
    const param = (v: unknown) => `${this.params.add(v)}::${cast}`;

    switch (node.op) {
      case 'isNull':
        return value === true ? `${c} IS NULL` : `${c} IS NOT NULL`;
      case 'eq':
        if (value === null) return `${c} IS NULL`;
        return guard(`${c} = ${param(coerceValue(field, value as Scalar, at))}`);
      case 'ne':
        if (value === null) return `${c} IS NOT NULL`;
        return `${c} IS DISTINCT FROM ${param(coerceValue(field, value as Scalar, at))}`;
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
        return guard(`${c} ${SQL_OP[node.op]} ${param(coerceValue(field, value as Scalar, at))}`);
      case 'in': {
        const list = (value as Scalar[]).map((v) => coerceValue(field, v, at));
        return guard(`${c} = ANY(${this.params.add(list)}::${cast}[])`);
      }
      case 'contains':
      case 'startswith':
      case 'endswith': {
        const text = coerceValue(field, value as Scalar, at) as string;
        if (field.type === 'stringArray') return guard(`${c} @> ARRAY[${param(text)}]`);
        const escaped = escapeLike(text);
        const pattern =
          node.op === 'contains' ? `%${escaped}%` : node.op === 'startswith' ? `${escaped}%` : `%${escaped}`;
        return guard(`${c} ILIKE ${this.params.add(pattern)}::text`);
      }
    }
  }
}

/**
 * Compiles a filter (JSON AST, validated here again) for `object` aliased `opts.alias` into a SQL
 * boolean expression; values are appended to `params`. Throws DomainError INVALID_FILTER (400) for
 * unknown or unfilterable fields, wrong operators, wrong value types and limits; whatever
 * `opts.checkField` throws (e.g. FORBIDDEN_FIELD) passes through.
 */
export function compileFilter(
  registry: ObjectRegistry,
  object: ObjectDef,
  node: FilterNode,
  params: SqlParams,
  opts: CompileOptions,
): string {
  const norm = normalizeFilter(node);
  return new FilterCompiler(registry, params, opts).node(object, opts.alias, norm);
}
