/** The query engine: filter grammar + JSON AST, SQL compiler, sort, keyset cursors, list SQL. */
export type {
  AndNode,
  AnyCondition,
  ComparisonOp,
  Condition,
  FieldNode,
  FilterNode,
  NormNode,
  NotNode,
  Operator,
  OrNode,
  Scalar,
  StringOp,
} from './filter-ast.js';
export { FILTER_LIMITS, OPERATORS, normalizeFilter, validateFilter } from './filter-ast.js';
export { parseFilter } from './filter-parser.js';
export type { CheckField, CompileOptions, RelationScope } from './filter-compiler.js';
export { OPERATORS_BY_TYPE, SQL_TYPE, coerceValue, compileFilter, escapeLike } from './filter-compiler.js';
export type { SortTerm } from './sort.js';
export { MAX_SORT_TERMS, orderBySql, parseSort, resolveSort, sortSignature } from './sort.js';
export type { CursorValue } from './cursor.js';
export {
  CURSOR_COLUMN_PREFIX,
  cursorColumn,
  cursorSelectSql,
  decodeCursor,
  encodeCursor,
  keysetPredicate,
  stripCursorColumns,
} from './cursor.js';
export type { BuiltListQuery, BuiltQuery, ListQueryOptions, Page, WhereOptions } from './list-query.js';
export {
  DEFAULT_LIMIT,
  LIST_ALIAS,
  MAX_LIMIT,
  RANK_COLUMN,
  buildCountQuery,
  buildListQuery,
  parseFilterInput,
  parseLimit,
  toPage,
} from './list-query.js';
export { MAX_EXPAND, parseExpand, parseFields } from './select.js';
export { SqlParams, ident } from './sql.js';
