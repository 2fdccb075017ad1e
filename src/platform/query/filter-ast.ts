/**
 * The filter JSON AST — the one representation every surface compiles from (the string grammar in
 * filter-parser.ts produces it; GraphQL and POST /search bodies send it directly) — and its
 * validator for untrusted input.
 *
 *   FilterNode := {"and": FilterNode[]} | {"or": FilterNode[]} | {"not": FilterNode}
 *               | {"<path>": Condition} | {"<relationPath>": {"any": FilterNode}}
 *   Condition  := {"eq"|"ne": scalar} | {"gt"|"ge"|"lt"|"le": non-null scalar}
 *               | {"in": [non-null scalar, …1..500]} | {"contains"|"startswith"|"endswith": string}
 *               | {"isNull": boolean}
 *
 * Choices (documented in docs/query-language.md):
 * - An object with several keys is the AND of them: `{"a": {…}, "b": {…}}` = a AND b, and a
 *   condition with several operators is the AND of them: `{"score": {"ge": 1, "lt": 5}}`.
 * - `null` is allowed only with eq/ne: `{"eq": null}` = is null, `{"ne": null}` = is not null.
 *   `in` lists may not contain null (use `isNull`).
 * - A path is `field` or `relation.field`, through to-one relations (up to 3 hops). `any` takes a
 *   relation path (to-many, or to-one meaning "the related record exists and matches").
 * - `and`, `or`, `not` are reserved keys, `any` is reserved inside a condition.
 */
import { DomainError } from '../http/domain-error.js';
import { isStorableText } from './values.js';

export type Scalar = string | number | boolean | null;
export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type StringOp = 'contains' | 'startswith' | 'endswith';
export type Operator = ComparisonOp | 'in' | StringOp | 'isNull';

export interface Condition {
  eq?: Scalar;
  ne?: Scalar;
  gt?: Scalar;
  ge?: Scalar;
  lt?: Scalar;
  le?: Scalar;
  in?: Scalar[];
  contains?: string;
  startswith?: string;
  endswith?: string;
  isNull?: boolean;
}
export interface AnyCondition {
  any: FilterNode;
}
export interface AndNode {
  and: FilterNode[];
}
export interface OrNode {
  or: FilterNode[];
}
export interface NotNode {
  not: FilterNode;
}
export interface FieldNode {
  [path: string]: Condition | AnyCondition;
}
export type FilterNode = AndNode | OrNode | NotNode | FieldNode;

export const OPERATORS: readonly Operator[] = [
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'in',
  'contains',
  'startswith',
  'endswith',
  'isNull',
];

export const FILTER_LIMITS = {
  /** characters in a filter string */
  maxLength: 10_000,
  /** nesting of and/or/not/any/parentheses */
  maxDepth: 32,
  /** leaf conditions (each operator, each `any`) */
  maxTerms: 100,
  /** items in one `in` list */
  maxInItems: 500,
  /** characters in one string value */
  maxValueLength: 1_000,
  /** segments in a path (`a.b.c.field` = 4, i.e. 3 relation hops) */
  maxPathSegments: 4,
} as const;

/** The validated, normalised tree the compiler works on. `at` is the path as the client wrote it. */
export type NormNode =
  | { kind: 'and'; items: NormNode[] }
  | { kind: 'or'; items: NormNode[] }
  | { kind: 'not'; item: NormNode }
  | { kind: 'cond'; path: string[]; at: string; op: Operator; value: Scalar | Scalar[] }
  | { kind: 'any'; path: string[]; at: string; filter: NormNode };

export function invalidFilter(message: string, field = 'filter', code = 'INVALID'): DomainError {
  return new DomainError('INVALID_FILTER', message, [{ field, code, message }]);
}

const SEGMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LOGICAL = new Set(['and', 'or', 'not']);
const OPERATOR_SET = new Set<string>(OPERATORS);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Splits and checks `account.industry`; returns undefined when it is not a valid path. */
export function splitPath(path: string): string[] | undefined {
  if (path.length === 0 || path.length > 200) return undefined;
  const segments = path.split('.');
  if (segments.length > FILTER_LIMITS.maxPathSegments) return undefined;
  return segments.every((s) => SEGMENT_RE.test(s)) ? segments : undefined;
}

/** Checks one scalar; returns an error message or undefined. */
export function scalarProblem(value: unknown): string | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'numbers must be finite';
  if (typeof value === 'string') {
    if (value.length > FILTER_LIMITS.maxValueLength)
      return `string values are limited to ${FILTER_LIMITS.maxValueLength} characters`;
    if (!isStorableText(value)) return 'string values may not contain the NUL character';
    return undefined;
  }
  return 'expected a string, number, boolean or null';
}

interface WalkState {
  terms: number;
}

function countTerm(st: WalkState): void {
  st.terms += 1;
  if (st.terms > FILTER_LIMITS.maxTerms)
    throw invalidFilter(
      `filter has more than ${FILTER_LIMITS.maxTerms} conditions`,
      'filter',
      'TOO_MANY_TERMS',
    );
}

function checkDepth(depth: number): void {
  if (depth > FILTER_LIMITS.maxDepth)
    throw invalidFilter(`filter nests deeper than ${FILTER_LIMITS.maxDepth} levels`, 'filter', 'TOO_DEEP');
}

function operand(op: Operator, value: unknown, at: string, loc: string): Scalar | Scalar[] {
  const bad = (why: string) => invalidFilter(`${loc}: ${why}`, at, 'INVALID_VALUE');
  switch (op) {
    case 'eq':
    case 'ne': {
      const problem = scalarProblem(value);
      if (problem) throw bad(problem);
      return value as Scalar;
    }
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      if (value === null) throw bad(`${op} needs a value; null is only allowed with eq and ne`);
      const problem = scalarProblem(value);
      if (problem) throw bad(problem);
      return value as Scalar;
    }
    case 'in': {
      if (!Array.isArray(value)) throw bad('in needs a list of values');
      if (value.length === 0 || value.length > FILTER_LIMITS.maxInItems)
        throw bad(`in needs 1 to ${FILTER_LIMITS.maxInItems} values, got ${value.length}`);
      for (const item of value as unknown[]) {
        if (item === null) throw bad('in lists may not contain null; use isNull');
        const problem = scalarProblem(item);
        if (problem) throw bad(problem);
      }
      return value as Scalar[];
    }
    case 'contains':
    case 'startswith':
    case 'endswith': {
      if (typeof value !== 'string') throw bad(`${op} needs a string`);
      const problem = scalarProblem(value);
      if (problem) throw bad(problem);
      return value;
    }
    case 'isNull':
      if (typeof value !== 'boolean') throw bad('isNull needs true or false');
      return value;
  }
}

function normalize(input: unknown, loc: string, depth: number, st: WalkState): NormNode {
  checkDepth(depth);
  if (!isPlainObject(input)) throw invalidFilter(`${loc}: expected a filter object`);
  const keys = Object.keys(input);
  if (keys.length === 0) throw invalidFilter(`${loc}: empty filter object`);
  const parts: NormNode[] = [];
  for (const key of keys) {
    const value = input[key];
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value) || value.length === 0)
        throw invalidFilter(`${loc}.${key}: expected a non-empty list of filters`);
      const items = (value as unknown[]).map((item, i) =>
        normalize(item, `${loc}.${key}[${i}]`, depth + 1, st),
      );
      parts.push({ kind: key, items });
      continue;
    }
    if (key === 'not') {
      parts.push({ kind: 'not', item: normalize(value, `${loc}.not`, depth + 1, st) });
      continue;
    }
    const path = splitPath(key);
    if (!path || LOGICAL.has(key))
      throw invalidFilter(
        `${loc}: ${JSON.stringify(key.slice(0, 100))} is not a valid field path`,
        key.slice(0, 200),
        'INVALID_PATH',
      );
    const here = `${loc}.${key}`;
    if (!isPlainObject(value))
      throw invalidFilter(`${here}: expected a condition object such as {"eq": …}`, key, 'INVALID_CONDITION');
    const ops = Object.keys(value);
    if (ops.length === 0) throw invalidFilter(`${here}: empty condition`, key, 'INVALID_CONDITION');
    if (ops.includes('any')) {
      if (ops.length !== 1)
        throw invalidFilter(`${here}: any cannot be combined with other operators`, key, 'INVALID_CONDITION');
      countTerm(st);
      parts.push({ kind: 'any', path, at: key, filter: normalize(value.any, `${here}.any`, depth + 1, st) });
      continue;
    }
    for (const op of ops) {
      if (!OPERATOR_SET.has(op))
        throw invalidFilter(
          `${here}: unknown operator ${JSON.stringify(op.slice(0, 50))}; expected one of ${OPERATORS.join(', ')}, any`,
          key,
          'UNKNOWN_OPERATOR',
        );
      countTerm(st);
      const operator = op as Operator;
      parts.push({
        kind: 'cond',
        path,
        at: key,
        op: operator,
        value: operand(operator, value[op], key, `${here}.${op}`),
      });
    }
  }
  return parts.length === 1 ? parts[0]! : { kind: 'and', items: parts };
}

/** Validates untrusted JSON and returns the normalised tree; throws INVALID_FILTER (400). */
export function normalizeFilter(input: unknown): NormNode {
  return normalize(input, 'filter', 0, { terms: 0 });
}

/** Validates untrusted JSON as a filter AST; throws INVALID_FILTER (400) naming the problem. */
export function validateFilter(input: unknown): FilterNode {
  normalizeFilter(input);
  return input as FilterNode;
}
