import { DomainError } from '../http/domain-error.js';
import { registry, type ObjectDef } from '../registry/object-registry.js';
import { compileFilter } from './filter-compiler.js';
import { parseFilterInput } from './list-query.js';
import { SqlParams } from './sql.js';

/**
 * A stored condition: a filter on one object in the query language (a filter string or its JSON
 * AST), kept on a configuration record (an assignment rule, an SLA policy) and evaluated later
 * against that object's rows aliased `t`, so it means exactly what `?filter=` means on the
 * object's list. Null matches every row.
 */
export const CONDITION_ALIAS = 't';

/** A blank filter string means no condition. */
export function blankConditionToNull(condition: unknown): unknown {
  if (condition === undefined || condition === null) return null;
  if (typeof condition === 'string' && condition.trim() === '') return null;
  return condition;
}

/**
 * Compiles the condition against `object` as its list's `?filter=` would: a 400 naming
 * `condition` (and the offending field, with the parser's position) otherwise.
 */
export function checkCondition(object: ObjectDef, condition: unknown): void {
  if (condition === null) return;
  try {
    conditionSql(object, condition, new SqlParams());
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const detail = e.errors[0]?.message ?? e.detail;
    const at = e.errors[0]?.field && e.errors[0].field !== 'filter' ? ` (field ${e.errors[0].field})` : '';
    throw new DomainError('VALIDATION_FAILED', `Invalid condition: ${detail}${at}.`, [
      { field: 'condition', code: e.errors[0]?.code ?? 'invalid', message: `${detail}${at}` },
    ]);
  }
}

/** The condition as SQL over `object` aliased `t` (params added to `params`); 'TRUE' for none. */
export function conditionSql(object: ObjectDef, condition: unknown, params: SqlParams): string {
  const node = parseFilterInput(condition);
  return node ? compileFilter(registry, object, node, params, { alias: CONDITION_ALIAS }) : 'TRUE';
}
