import { DomainError } from '../../../platform/http/domain-error.js';
import { invalid } from '../sales-sql.js';

/** A half-open time window [from, to) in UTC, as ISO strings (what the reports' SQL compares with). */
export interface ReportWindow {
  from: string;
  to: string;
}

/** `2026`, `2026-Q4` or `2026-11` (years 1900–2999). */
export const PERIOD_RE = /^(19\d\d|2\d\d\d)(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/;
export const PERIOD_MESSAGE = 'period must be a year (2026), a quarter (2026-Q4) or a month (2026-11)';

/** The window a period names: a year, a quarter or a month, UTC. */
export function periodWindow(period: string): ReportWindow {
  const m = PERIOD_RE.exec(period);
  if (!m) throw invalid('period', 'invalid_period', PERIOD_MESSAGE);
  const year = Number(m[1]);
  const [startMonth, months] = m[2] ? [(Number(m[2]) - 1) * 3, 3] : m[3] ? [Number(m[3]) - 1, 1] : [0, 12];
  return { from: utcMonth(year, startMonth), to: utcMonth(year, startMonth + months) };
}

function utcMonth(year: number, month: number): string {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 1);
  return d.toISOString();
}

/** How far back a window without `from` reaches from its end. */
export const DEFAULT_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * The window of `from` and `to` (ISO 8601 dates or date-times, already syntax-checked): a date
 * alone is midnight UTC, a date-time without an offset is UTC. `to` defaults to now, `from` to
 * DEFAULT_WINDOW_DAYS before `to`; `from` must come before `to` (400 naming `to`).
 */
export function explicitWindow(
  from: string | undefined,
  to: string | undefined,
  now = new Date(),
): ReportWindow {
  const end = to === undefined ? now : instant('to', to);
  const start =
    from === undefined ? new Date(end.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS) : instant('from', from);
  if (start.getTime() >= end.getTime())
    throw invalid('to', 'empty_window', 'to must be later than from (the window is [from, to))');
  return { from: start.toISOString(), to: end.toISOString() };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

function instant(name: string, value: string): Date {
  const text = DATE_ONLY.test(value) ? `${value}T00:00:00Z` : HAS_OFFSET.test(value) ? value : `${value}Z`;
  const d = new Date(text);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1900 || d.getUTCFullYear() > 2999)
    throw new DomainError('VALIDATION_FAILED', `${name} is not a date between 1900 and 2999.`, [
      { field: name, code: 'invalid_date', message: `${name} must be an ISO 8601 date or date-time` },
    ]);
  return d;
}
