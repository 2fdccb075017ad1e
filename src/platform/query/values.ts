/**
 * Value checks shared by the filter compiler and the cursor decoder. Everything a client sends is
 * checked here before it becomes a parameter, so a cast in SQL (`$1::uuid`, `$1::timestamptz`, …)
 * can never fail inside Postgres and turn into a 500.
 */
import { UUID_RE } from '../database/ids.js';

export { UUID_RE };

/** Plain decimal notation: optional sign, digits, optional fraction. No exponent, no spaces. */
export const DECIMAL_RE = /^[+-]?\d+(\.\d+)?$/;

/** Postgres `numeric::text` output: plain decimals plus the special values. */
const NUMERIC_TEXT_RE = /^(-?\d+(\.\d+)?|NaN|Infinity|-Infinity)$/;

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** True for strings Postgres `text` can hold (no NUL character). */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000');
}

export function isInt8Text(value: string): boolean {
  if (!/^-?\d{1,19}$/.test(value)) return false;
  const n = BigInt(value);
  return n >= INT8_MIN && n <= INT8_MAX;
}

export function isNumericText(value: string): boolean {
  return value.length <= 1000 && NUMERIC_TEXT_RE.test(value);
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/**
 * Validates an ISO-8601 date or date-time and returns an unambiguous form for `::timestamptz`
 * (`YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM`), or undefined. A value without an offset is UTC; a date
 * alone is midnight UTC. Offsets up to ±15:59 (Postgres' range), fractions up to 9 digits
 * (Postgres rounds to microseconds).
 */
export function normalizeDateTime(value: string): string | undefined {
  const m = ISO_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, hh = '00', mi = '00', ss = '00', frac, offset] = m;
  if (!validDate(Number(y), Number(mo), Number(d))) return undefined;
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) return undefined;
  let off = '+00:00';
  if (offset && offset !== 'Z' && offset !== 'z') {
    const sign = offset[0]!;
    const digits = offset.slice(1).replace(':', '');
    const oh = digits.slice(0, 2);
    const om = digits.slice(2) || '00';
    if (Number(oh) > 15 || Number(om) > 59) return undefined;
    off = `${sign}${oh}:${om}`;
  }
  return `${y}-${mo}-${d}T${hh}:${mi}:${ss}${frac ? `.${frac}` : ''}${off}`;
}

const CURSOR_TS_RE = /^(\d{4,6})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;

/** The exact form `cursorSelectSql` emits for datetime columns (UTC, microseconds). */
export function isCursorTimestamp(value: string): boolean {
  const m = CURSOR_TS_RE.exec(value);
  if (!m) return false;
  const [, y, mo, d, hh, mi, ss] = m;
  return (
    validDate(Number(y), Number(mo), Number(d)) && Number(hh) <= 23 && Number(mi) <= 59 && Number(ss) <= 59
  );
}

/** Shortens a client value for an error message. */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
