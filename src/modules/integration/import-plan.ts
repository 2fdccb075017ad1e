import { DomainError, FieldIssue } from '../../platform/http/domain-error.js';
import { FieldDef, ObjectDef, registry, ToOneRelation } from '../../platform/registry/object-registry.js';
import { FieldAccessSet } from '../../platform/security/policy/field-policy.js';
import { fromCell, ImportableObject, importable, IMPORTABLE_OBJECTS, lookupKeys } from './import-objects.js';

export type ImportMode = 'create' | 'update' | 'upsert';
export type ImportFormat = 'csv' | 'ndjson';

export interface ReferenceOption {
  /** the target's field the file gives: id (default), externalId or a natural key (domain, email) */
  by: string;
}

/** What a client asks for; validated by `resolveOptions`. */
export interface ImportOptions {
  object: string;
  mode: ImportMode;
  match: string;
  format: ImportFormat;
  /** file column (CSV header or NDJSON key) → field name; '' ignores the column */
  mapping?: Record<string, string>;
  /** reference field (e.g. accountId) → how the file names the related record */
  references?: Record<string, ReferenceOption>;
  dryRun?: boolean;
}

export interface ResolvedReference {
  field: FieldDef;
  target: ObjectDef;
  by: FieldDef;
}

/** The validated options, bound to the registry. */
export interface ImportPlan {
  def: ImportableObject;
  object: ObjectDef;
  mode: ImportMode;
  /** the match key's field */
  match: FieldDef;
  format: ImportFormat;
  mapping: Record<string, string>;
  references: Map<string, ResolvedReference>;
}

const MODES: readonly ImportMode[] = ['create', 'update', 'upsert'];

function bad(message: string, field?: string): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    message,
    field ? [{ field, code: 'invalid', message }] : undefined,
  );
}

export function resolveOptions(o: ImportOptions): ImportPlan {
  const def = importable(o.object);
  if (!def)
    throw bad(
      `object must be one of: ${IMPORTABLE_OBJECTS.join(', ')} (got ${JSON.stringify(o.object)})`,
      'object',
    );
  const object = def.object;
  if (!MODES.includes(o.mode)) throw bad(`mode must be one of: ${MODES.join(', ')}`, 'mode');
  if (o.format !== 'csv' && o.format !== 'ndjson') throw bad('format must be csv or ndjson', 'format');
  const keys = ['externalId', 'id', ...def.naturalKeys].filter((k) => registry.field(object, k));
  if (!keys.includes(o.match)) throw bad(`match must be one of: ${keys.join(', ')} for ${o.object}`, 'match');
  if (o.match === 'id' && o.mode !== 'update')
    throw bad('match=id works with mode=update only (new records get their ids from Rapport)', 'match');
  const mapping = o.mapping ?? {};
  for (const [column, name] of Object.entries(mapping)) {
    if (typeof name !== 'string') throw bad(`mapping of ${column} must be a field name`, 'mapping');
    if (name !== '' && name !== 'id' && !registry.field(object, name))
      throw bad(`mapping: ${object.name} has no field ${name} (column ${column})`, 'mapping');
  }
  const references = new Map<string, ResolvedReference>();
  for (const [name, ref] of Object.entries(o.references ?? {})) {
    const rel = object.relations.find((r): r is ToOneRelation => r.kind === 'toOne' && r.field === name);
    if (!rel) throw bad(`references: ${name} is not a reference field of ${object.name}`, 'references');
    const target = registry.get(rel.target);
    const by = ref?.by ?? 'id';
    if (!lookupKeys(target).includes(by))
      throw bad(`references.${name}.by must be one of: ${lookupKeys(target).join(', ')}`, 'references');
    references.set(name, { field: registry.field(object, name)!, target, by: registry.field(target, by)! });
  }
  return {
    def,
    object,
    mode: o.mode,
    match: registry.field(object, o.match)!,
    format: o.format,
    mapping,
    references,
  };
}

/** The fields a file with these columns writes (the match key `id` is not written). */
export function columnFields(plan: ImportPlan, header: readonly string[]): (FieldDef | null)[] {
  const unknown: string[] = [];
  const out = header.map((column) => {
    const name = column in plan.mapping ? plan.mapping[column] : column.trim();
    if (name === '') return null;
    if (name === 'id') return plan.match.name === 'id' ? plan.match : null;
    const f = registry.field(plan.object, name);
    if (!f) unknown.push(column);
    return f ?? null;
  });
  if (unknown.length)
    throw bad(
      `The file has columns that are not ${plan.object.name} fields: ${unknown.join(', ')}. Map them with mapping: {"column": "field"} or ignore them with "column": "".`,
      'mapping',
    );
  const names = out.filter((f): f is FieldDef => f !== null).map((f) => f.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) throw bad(`Several columns map to ${[...new Set(twice)].join(', ')}`, 'mapping');
  return out;
}

/**
 * Field-level security on what the file writes: every written field must be editable by the
 * importing principal (403 FORBIDDEN_FIELD naming the field, for the whole job, up front — the
 * same answer a single POST would get). The match key is read, not written, when it is `id`.
 */
export function checkWritableFields(
  plan: ImportPlan,
  access: FieldAccessSet,
  fields: readonly FieldDef[],
): void {
  const written = fields.filter((f) => f.name !== 'id');
  const bad = written.find((f) => f.writable === 'never');
  if (bad)
    throw new DomainError('VALIDATION_FAILED', `${bad.name} cannot be written`, [
      { field: bad.name, code: 'read_only', message: `${bad.name} cannot be written` },
    ]);
  access.checkWrite(plan.object, written);
}

/** One file row turned into API values, before validation. */
export interface RowValues {
  values: Record<string, unknown>;
  /** reference field → the key the file gives (resolved to an id per chunk) */
  refs: Record<string, string>;
  issues: FieldIssue[];
}

/** A CSV record (already split into cells) → API values; empty cells clear nullable fields. */
export function fromCsv(
  plan: ImportPlan,
  fields: readonly (FieldDef | null)[],
  cells: readonly string[],
): RowValues {
  const out: RowValues = { values: {}, refs: {}, issues: [] };
  if (cells.length !== fields.length) {
    out.issues.push({
      field: '',
      code: 'column_count',
      message: `the line has ${cells.length} columns, the header ${fields.length}`,
    });
    return out;
  }
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (!f) continue;
    const cell = cells[i];
    if (plan.references.has(f.name)) {
      if (cell !== '') out.refs[f.name] = cell;
      else out.values[f.name] = null;
      continue;
    }
    if (cell === '') {
      if (f.nullable) out.values[f.name] = null;
      continue;
    }
    out.values[f.name] = fromCell(f, cell);
  }
  return out;
}

/** An NDJSON object → API values (keys mapped; unknown keys are left for validation to name). */
export function fromJson(plan: ImportPlan, line: string): RowValues {
  const out: RowValues = { values: {}, refs: {}, issues: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    out.issues.push({ field: '', code: 'malformed', message: 'the line is not valid JSON' });
    return out;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    out.issues.push({ field: '', code: 'malformed', message: 'the line is not a JSON object' });
    return out;
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const name = key in plan.mapping ? plan.mapping[key] : key;
    if (name === '') continue;
    if (name === 'id' && plan.match.name !== 'id') continue;
    if (plan.references.has(name) && value !== null && value !== undefined) out.refs[name] = String(value);
    else out.values[name] = value;
  }
  return out;
}
