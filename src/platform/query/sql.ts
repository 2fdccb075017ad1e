/**
 * Small SQL-building helpers. Every value that reaches SQL goes through `SqlParams.add` (a `$n`
 * placeholder); every identifier comes from the object registry and goes through `ident`.
 */

/** Collects positional parameters for one statement and hands out fresh subquery aliases. */
export class SqlParams {
  readonly values: unknown[] = [];
  private aliasCount = 0;

  constructor(initial: readonly unknown[] = []) {
    this.values.push(...initial);
  }

  /** Appends a value and returns its placeholder (`$1`, `$2`, …). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** A table alias unique within this statement (`r1`, `r2`, …), for correlated subqueries. */
  alias(prefix = 'r'): string {
    this.aliasCount += 1;
    return `${prefix}${this.aliasCount}`;
  }
}

/** Quotes an SQL identifier (registry-defined names only — never user text). */
export function ident(name: string): string {
  if (name.length === 0) throw new Error('empty SQL identifier');
  return `"${name.replace(/"/g, '""')}"`;
}

const ALIAS_RE = /^[a-z_][a-z0-9_]*$/;

/** `alias."column"`; the alias is chosen by code (`t`, `r1`, …), never by a client. */
export function col(alias: string, column: string): string {
  if (!ALIAS_RE.test(alias)) throw new Error(`invalid SQL alias ${JSON.stringify(alias)}`);
  return `${alias}.${ident(column)}`;
}
