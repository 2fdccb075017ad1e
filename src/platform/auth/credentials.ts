import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UUID_RE } from '../database/ids.js';

/*
 * Formats of the opaque credentials Rapport hands out. Each carries, in clear, the tenant and the
 * row it belongs to, so that the lookup can pin the tenant transaction first (RLS hides every row
 * otherwise) and fetch one row by primary key. Neither id is confidential: the tenant id is in
 * every access token's `tid`, and a key's id is what its owner sees in the list, so a key found in
 * a log can be traced and revoked. Only the random secret part is confidential, and it never
 * leaves the server except in the response that creates it.
 */

/** Random 256-bit secrets, base64url: 43 characters. */
const SECRET_BYTES = 32;
const B64URL_22 = '[A-Za-z0-9_-]{22}';
const B64URL_43 = '[A-Za-z0-9_-]{43}';

/** API key: `rpk_<tenant><key id>_<secret>` (ids as 22-character base64url). */
export const API_KEY_PREFIX = 'rpk_';
const API_KEY_RE = new RegExp(`^rpk_(${B64URL_22})(${B64URL_22})_(${B64URL_43})$`);

/** OAuth client id: `rpc_<tenant><client row id>`. Public, like any OAuth client_id. */
const CLIENT_ID_RE = new RegExp(`^rpc_(${B64URL_22})(${B64URL_22})$`);

/** OAuth client secret: `rcs_<secret>`; the prefix lets secret scanners recognise a leaked one. */
const CLIENT_SECRET_RE = new RegExp(`^rcs_(${B64URL_43})$`);

export interface ParsedCredential {
  tenantId: string;
  id: string;
  secret: string;
}

export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/**
 * SHA-256 (base64url). Enough for these secrets, unlike passwords: each is 256 random bits, so
 * there is no dictionary to try and a preimage search is out of reach, and a slow hash (argon2)
 * would only add tens of milliseconds of CPU to every API request authenticated with a key.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant-time comparison of two hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function formatApiKey(tenantId: string, id: string, secret: string): string {
  return `${API_KEY_PREFIX}${compactUuid(tenantId)}${compactUuid(id)}_${secret}`;
}

/** The non-secret start of a key (`rpk_<tenant><id>`), shown in lists so a key can be recognised. */
export function apiKeyPrefix(tenantId: string, id: string): string {
  return `${API_KEY_PREFIX}${compactUuid(tenantId)}${compactUuid(id)}`;
}

export function parseApiKey(raw: string): ParsedCredential | null {
  const m = API_KEY_RE.exec(raw);
  if (!m) return null;
  const tenantId = expandUuid(m[1]);
  const id = expandUuid(m[2]);
  return tenantId && id ? { tenantId, id, secret: m[3] } : null;
}

export function formatClientId(tenantId: string, id: string): string {
  return `rpc_${compactUuid(tenantId)}${compactUuid(id)}`;
}

export function parseClientId(raw: string): { tenantId: string; id: string } | null {
  const m = CLIENT_ID_RE.exec(raw);
  if (!m) return null;
  const tenantId = expandUuid(m[1]);
  const id = expandUuid(m[2]);
  return tenantId && id ? { tenantId, id } : null;
}

export function formatClientSecret(secret: string): string {
  return `rcs_${secret}`;
}

/** The random part of a client secret, or null when it is not one of ours. */
export function clientSecretOf(raw: string): string | null {
  return CLIENT_SECRET_RE.exec(raw)?.[1] ?? null;
}

/** A UUID as 22 base64url characters (its 16 bytes). */
export function compactUuid(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The inverse of compactUuid; null unless `s` is the canonical encoding of 16 bytes. */
export function expandUuid(s: string): string | null {
  const bytes = Buffer.from(s, 'base64url');
  if (bytes.length !== 16 || bytes.toString('base64url') !== s) return null;
  const hex = bytes.toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return UUID_RE.test(uuid) ? uuid : null;
}
