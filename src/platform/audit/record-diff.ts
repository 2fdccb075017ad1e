import type { ObjectDef } from '../registry/object-registry.js';
import { canonicalJson } from './audit-chain.js';
import type { AuditChanges } from './audit.types.js';

/** Bookkeeping fields every write touches: not "changes" (version goes into the event details). */
const NOT_DIFFED = new Set(['id', 'createdAt', 'updatedAt', 'version']);

/** A value as JSON will store it (Dates → ISO strings); undefined → null. */
export function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** A created record: every field that has a value, before = null. */
export function createdChanges(object: ObjectDef, after: Record<string, unknown>): AuditChanges {
  const out: AuditChanges = {};
  for (const f of object.fields) {
    if (NOT_DIFFED.has(f.name)) continue;
    const value = jsonValue(after[f.name]);
    if (value === null) continue;
    out[f.name] = { before: null, after: value };
  }
  return out;
}

/** The fields whose stored value differs between the two versions of a record. */
export function updatedChanges(
  object: ObjectDef,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): AuditChanges {
  const out: AuditChanges = {};
  for (const f of object.fields) {
    if (NOT_DIFFED.has(f.name)) continue;
    if (!(f.name in after)) continue;
    const b = jsonValue(before[f.name]);
    const a = jsonValue(after[f.name]);
    if (canonicalJson(b) !== canonicalJson(a)) out[f.name] = { before: b, after: a };
  }
  return out;
}
