import { DomainError } from '../../../platform/http/domain-error.js';
import { compileFilter, parseFilterInput } from '../../../platform/query/index.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { registry } from '../../../platform/registry/object-registry.js';
import { CASE } from '../cases/case.object.js';

/** A blank filter string (or an empty AST) means no condition. */
export function normalizeCondition(condition: unknown): unknown {
  if (condition === undefined || condition === null) return null;
  if (typeof condition === 'string') return condition.trim() === '' ? null : condition.trim();
  if (typeof condition === 'object' && !Array.isArray(condition) && Object.keys(condition).length === 0)
    return null;
  return condition;
}

/**
 * Compiles a policy condition against the case object, as `GET /v1/cases?filter=` would: a 400
 * naming `condition` (and the offending case field, with the parser's position) otherwise.
 */
export function checkCondition(condition: unknown): void {
  if (condition === null) return;
  try {
    const node = parseFilterInput(condition);
    if (node) compileFilter(registry, CASE, node, new SqlParams(), { alias: 't' });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const detail = e.errors[0]?.message ?? e.detail;
    const at = e.errors[0]?.field && e.errors[0].field !== 'filter' ? ` (field ${e.errors[0].field})` : '';
    throw new DomainError('VALIDATION_FAILED', `Invalid condition: ${detail}${at}.`, [
      { field: 'condition', code: e.errors[0]?.code ?? 'invalid', message: `${detail}${at}` },
    ]);
  }
}

/** The condition as SQL over `cases` aliased `t` (params added to `params`); 'TRUE' for none. */
export function conditionSql(condition: unknown, params: SqlParams): string {
  const node = parseFilterInput(condition);
  return node ? compileFilter(registry, CASE, node, params, { alias: 't' }) : 'TRUE';
}
