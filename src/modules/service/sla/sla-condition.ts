import * as stored from '../../../platform/query/condition.js';
import type { SqlParams } from '../../../platform/query/sql.js';
import { CASE } from '../cases/case.object.js';

/**
 * An SLA policy's condition: a filter on cases (src/platform/query/condition.ts). Unlike an
 * assignment rule's, a filter string is stored trimmed and an empty AST means no condition.
 */
export function normalizeCondition(condition: unknown): unknown {
  const given = stored.blankConditionToNull(condition);
  if (typeof given === 'string') return given.trim();
  if (typeof given === 'object' && given !== null && !Array.isArray(given) && Object.keys(given).length === 0)
    return null;
  return given;
}

/** Compiles a policy condition against the case object: a 400 naming `condition` otherwise. */
export function checkCondition(condition: unknown): void {
  stored.checkCondition(CASE, condition);
}

/** The condition as SQL over `cases` aliased `t` (params added to `params`); 'TRUE' for none. */
export function conditionSql(condition: unknown, params: SqlParams): string {
  return stored.conditionSql(CASE, condition, params);
}
