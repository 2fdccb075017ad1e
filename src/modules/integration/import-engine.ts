import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { updatedChanges } from '../../platform/audit/record-diff.js';
import type { AuditChanges } from '../../platform/audit/audit.types.js';
import { actorOf, AuditService } from '../../platform/audit/audit.service.js';
import type { AuditEventInput } from '../../platform/audit/audit.types.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { newId, UUID_RE } from '../../platform/database/ids.js';
import { FieldIssue } from '../../platform/http/domain-error.js';
import { OutboxEvent, OutboxService } from '../../platform/outbox/outbox.service.js';
import { col, ident, SqlParams } from '../../platform/query/sql.js';
import { selectList, table } from '../../platform/records/record-sql.js';
import type { RecordData } from '../../platform/records/record.types.js';
import { FieldDef, ObjectDef, registry } from '../../platform/registry/object-registry.js';
import { RecordPolicy } from '../../platform/security/policy/record-policy.js';
import { serviceRowsFor, validateRow } from './import-objects.js';
import { returned } from './returned.js';
import { fromCsv, fromJson, ImportPlan, RowValues } from './import-plan.js';

/** A staged row (import_rows). */
export interface StagedRow {
  lineNo: number;
  raw: string | null;
  parseError: string | null;
}

export interface RowError {
  line: number;
  field: string | null;
  code: string;
  message: string;
  raw: string | null;
}

export interface ChunkResult {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: RowError[];
}

interface Row extends RowValues {
  line: number;
  raw: string | null;
  key: string | null;
  failed: boolean;
}

/** A row ready to write. */
interface Write {
  row: Row;
  id: string;
  values: Map<FieldDef, unknown>;
  before?: RecordData;
}

/** Audit events per recordMany statement (its columns travel as JSON arrays: no parameter limit). */
const AUDIT_SLICE = 10000;
const OWNER = 'ownerId';

/** A value as text for a `unnest($n::text[])` column; the SELECT casts it back to the column's type. */
function toText(f: FieldDef, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (f.type === 'json' || f.type === 'stringArray') return JSON.stringify(v);
  return typeof v === 'string' ? v : String(v);
}

function cast(f: FieldDef, expr: string): string {
  switch (f.type) {
    case 'integer':
      return `${expr}::integer`;
    case 'decimal':
      return `${expr}::numeric`;
    case 'boolean':
      return `${expr}::boolean`;
    case 'uuid':
      return `${expr}::uuid`;
    case 'datetime':
      return `${expr}::timestamptz`;
    case 'json':
      return `${expr}::jsonb`;
    case 'stringArray':
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(${expr}::jsonb)) END`;
    default:
      return expr;
  }
}

/** Postgres data errors (class 22) and constraint violations (class 23): the row's fault, not the job's. */
function isRowFault(e: unknown): e is { code: string; message: string; constraint?: string } {
  const code = (e as { code?: unknown; driverError?: { code?: unknown } })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Processes one chunk of staged rows inside the caller's transaction, set-based: a handful of
 * statements whatever the chunk size — look up the records the rows match (locked, with the
 * importer's read and write predicates), resolve references by external id or natural key (read
 * predicate), then one UPDATE … FROM unnest(…) for the changed matches (unchanged rows are
 * detected with IS DISTINCT FROM and not touched), one INSERT … SELECT FROM unnest(…) … ON
 * CONFLICT DO NOTHING for the new ones, their audit events (recordMany) and outbox events.
 *
 * A row that repeats a key earlier in the same chunk waits for a later "wave", so rows apply in
 * file order. A statement that Postgres rejects for one row's data (a check constraint, a value
 * out of range) is retried row by row under savepoints, so only that row fails.
 */
@Injectable()
export class ImportEngine {
  constructor(
    private readonly policy: RecordPolicy,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  async processChunk(
    em: EntityManager,
    ctx: RequestContext,
    plan: ImportPlan,
    header: readonly string[] | null,
    staged: readonly StagedRow[],
    jobId: string,
  ): Promise<ChunkResult> {
    // Leads and opportunities go row by row through their own services (import-service-rows.ts).
    const perRow = serviceRowsFor(this, plan);
    if (perRow) return perRow.processChunk(em, ctx, plan, header, staged);
    const result: ChunkResult = { created: 0, updated: 0, unchanged: 0, failed: 0, errors: [] };
    const fail = (row: Row, issues: FieldIssue[]) => {
      if (!row.failed) result.failed++;
      row.failed = true;
      issues.forEach((i) =>
        result.errors.push({
          line: row.line,
          field: i.field || null,
          code: i.code,
          message: i.message,
          raw: row.raw,
        }),
      );
    };
    const fields = header ? this.fieldsOf(plan, header) : null;
    const rows: Row[] = [];
    for (const s of staged) {
      const row: Row = {
        line: s.lineNo,
        raw: s.raw,
        key: null,
        failed: false,
        values: {},
        refs: {},
        issues: [],
      };
      rows.push(row);
      if (s.parseError !== null || s.raw === null) {
        fail(row, [{ field: '', code: 'malformed', message: s.parseError ?? 'unreadable line' }]);
        continue;
      }
      const mapped = fields ? fromCsv(plan, fields, JSON.parse(s.raw) as string[]) : fromJson(plan, s.raw);
      Object.assign(row, mapped);
      if (row.issues.length) fail(row, row.issues);
      const key = row.values[plan.match.name];
      row.key = key === null || key === undefined || key === '' ? null : String(key);
      if (plan.match.name === 'id') delete row.values.id;
    }
    await this.resolveReferences(em, ctx, plan, rows, fail);
    // Waves: the n-th occurrence of a key goes in wave n, so repeats apply in file order.
    const waves: Row[][] = [];
    const seen = new Map<string, number>();
    for (const row of rows) {
      if (row.failed) continue;
      const n = row.key === null ? 0 : (seen.get(row.key) ?? 0);
      if (row.key !== null) seen.set(row.key, n + 1);
      (waves[n] ??= []).push(row);
    }
    const events: AuditEventInput[] = [];
    const outbox: OutboxEvent[] = [];
    for (const wave of waves) {
      const { creates, updates } = await this.classify(em, ctx, plan, wave, fail);
      const written = await this.writeAll(em, plan, creates, updates, fail);
      for (const w of written.created) {
        result.created++;
        events.push({
          action: 'create',
          object: plan.object.name,
          recordId: w.id,
          changes: createdFast(plan.object, w.after),
          details: { importJob: jobId, line: w.line, version: w.after.version },
        });
        outbox.push(this.event(plan, 'created', w.id, w.after, Object.keys(w.after), jobId));
      }
      for (const w of written.updated) {
        result.updated++;
        const changes = updatedChanges(plan.object, w.before!, w.after);
        events.push({
          action: 'update',
          object: plan.object.name,
          recordId: w.id,
          changes,
          details: { importJob: jobId, line: w.line, version: w.after.version },
        });
        outbox.push(this.event(plan, 'updated', w.id, w.after, Object.keys(changes), jobId));
      }
      result.unchanged += written.unchanged;
    }
    const actor = actorOf(ctx);
    for (let i = 0; i < events.length; i += AUDIT_SLICE)
      await this.audit.recordMany(em, actor, events.slice(i, i + AUDIT_SLICE));
    await this.outbox.emit(em, ctx, outbox);
    return result;
  }

  private fieldsOf(plan: ImportPlan, header: readonly string[]): (FieldDef | null)[] {
    return header.map((column) => {
      const name = column in plan.mapping ? plan.mapping[column] : column.trim();
      if (name === '' || (name === 'id' && plan.match.name !== 'id')) return null;
      return name === 'id' ? plan.match : (plan.object.fields.find((f) => f.name === name) ?? null);
    });
  }

  private event(
    plan: ImportPlan,
    what: 'created' | 'updated',
    id: string,
    after: RecordData,
    names: string[],
    jobId: string,
  ): OutboxEvent {
    const fields = names.filter((n) => !['id', 'createdAt', 'updatedAt', 'version'].includes(n));
    return {
      type: `${plan.object.plural}.${what}`,
      object: plan.object.plural,
      recordId: id,
      payload: { version: after.version, fields, importJob: jobId },
    };
  }

  /** References by id, external id or natural key → ids, among the records the importer may read. */
  private async resolveReferences(
    em: EntityManager,
    ctx: RequestContext,
    plan: ImportPlan,
    rows: Row[],
    fail: (row: Row, issues: FieldIssue[]) => void,
  ): Promise<void> {
    for (const ref of plan.references.values()) {
      const keys = [
        ...new Set(
          rows
            .filter((r) => !r.failed && r.refs[ref.field.name] !== undefined)
            .map((r) => r.refs[ref.field.name]),
        ),
      ];
      const found = await this.lookup(em, ctx, ref.target, ref.by, keys);
      for (const row of rows) {
        const key = row.refs[ref.field.name];
        if (row.failed || key === undefined) continue;
        const ids = found.get(key) ?? [];
        if (ids.length === 1) row.values[ref.field.name] = ids[0];
        else
          fail(row, [
            {
              field: ref.field.name,
              code: ids.length ? 'ambiguous' : 'not_found',
              message: ids.length
                ? `${ids.length} ${ref.target.plural} have ${ref.by.name} ${key}`
                : `no ${ref.target.name} with ${ref.by.name} ${key}`,
            },
          ]);
      }
    }
    // Ids given directly (reference fields without `references`, and the owner): must exist and be visible.
    for (const rel of plan.object.relations) {
      if (rel.kind !== 'toOne' || plan.references.has(rel.field)) continue;
      const ids = [
        ...new Set(
          rows
            .filter((r) => !r.failed && typeof r.values[rel.field] === 'string')
            .map((r) => r.values[rel.field] as string),
        ),
      ];
      if (ids.length === 0) continue;
      const t = registry.get(rel.target);
      const found = await this.lookup(em, ctx, t, registry.field(t, 'id')!, ids);
      for (const row of rows) {
        const v = row.values[rel.field];
        if (!row.failed && typeof v === 'string' && !found.has(v))
          fail(row, [
            { field: rel.field, code: 'not_found', message: `${rel.field} refers to no ${t.name} (${v})` },
          ]);
      }
    }
    if (plan.object.fields.some((f) => f.name === OWNER)) {
      const owners = [
        ...new Set(
          rows
            .filter((r) => !r.failed && typeof r.values[OWNER] === 'string')
            .map((r) => r.values[OWNER] as string),
        ),
      ].filter((v) => UUID_RE.test(v));
      if (owners.length) {
        const found: { id: string }[] = await em.query(`SELECT id FROM users WHERE id = ANY($1::uuid[])`, [
          owners,
        ]);
        const ok = new Set(found.map((r) => r.id));
        for (const row of rows) {
          const v = row.values[OWNER];
          if (!row.failed && typeof v === 'string' && UUID_RE.test(v) && !ok.has(v))
            fail(row, [{ field: OWNER, code: 'not_found', message: `ownerId refers to no user (${v})` }]);
        }
      }
    }
  }

  /** Live records of `target` the caller may read, by the values of `by`: key → ids. */
  private async lookup(
    em: EntityManager,
    ctx: RequestContext,
    target: ImportPlan['object'],
    by: FieldDef,
    keys: string[],
  ): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const valid = by.type === 'uuid' ? keys.filter((k) => UUID_RE.test(k)) : keys;
    if (valid.length === 0) return out;
    const params = new SqlParams([valid]);
    const { from, where } = keyedScan(by, '$1');
    if (target.softDelete) where.push('t."deleted_at" IS NULL');
    const visible = this.policy.readPredicate(ctx, target, 't', params);
    if (visible) where.push(visible);
    const rows: { k: string; id: string }[] = await em.query(
      from(
        `SELECT ${col('t', by.column)}::text AS k, t."id" AS id FROM ${table(target)} t WHERE ${where.join(' AND ')}`,
      ),
      params.values,
    );
    for (const r of rows) {
      const ids = out.get(r.k);
      if (ids) ids.push(r.id);
      else out.set(r.k, [r.id]);
    }
    return out;
  }

  /**
   * Finds (and locks) the records a wave's rows match, then decides per row: create, update, or a
   * row error (exists in create mode, missing in update mode, ambiguous natural key, visible but
   * not writable), and validates it with the matching input class.
   */
  private async classify(
    em: EntityManager,
    ctx: RequestContext,
    plan: ImportPlan,
    wave: Row[],
    fail: (row: Row, issues: FieldIssue[]) => void,
  ): Promise<{ creates: Write[]; updates: Write[] }> {
    const keys = [...new Set(wave.map((r) => r.key).filter((k): k is string => k !== null))].filter(
      (k) => plan.match.type !== 'uuid' || UUID_RE.test(k),
    );
    const matches = new Map<string, (RecordData & { __writable: boolean })[]>();
    if (keys.length > 0) {
      const object = plan.object;
      const params = new SqlParams([keys]);
      const { from, where } = keyedScan(plan.match, '$1');
      if (object.softDelete) where.push('t."deleted_at" IS NULL');
      const visible = this.policy.readPredicate(ctx, object, 't', params);
      if (visible) where.push(visible);
      const writable = this.policy.writePredicate(ctx, object, 't', params) ?? 'TRUE';
      const found: (RecordData & { __key: string; __writable: boolean })[] = await em.query(
        from(
          `SELECT ${selectList(object.fields)}, ${col('t', plan.match.column)}::text AS "__key", (${writable}) AS "__writable"
             FROM ${table(object)} t WHERE ${where.join(' AND ')} FOR UPDATE OF t`,
        ),
        params.values,
      );
      for (const r of found) {
        const k = r.__key;
        delete (r as Partial<typeof r>).__key;
        const list = matches.get(k);
        if (list) list.push(r);
        else matches.set(k, [r]);
      }
    }
    const creates: Write[] = [];
    const updates: Write[] = [];
    const self = ctx.principal.userId;
    for (const row of wave) {
      const found = row.key === null ? [] : (matches.get(row.key) ?? []);
      const name = plan.match.name;
      if (found.length > 1) {
        fail(row, [
          {
            field: name,
            code: 'ambiguous',
            message: `${found.length} ${plan.object.plural} have ${name} ${row.key}`,
          },
        ]);
        continue;
      }
      const existing = found[0];
      if (existing && plan.mode === 'create') {
        fail(row, [
          {
            field: name,
            code: 'duplicate',
            message: `a ${plan.object.name} with ${name} ${row.key} exists already`,
          },
        ]);
        continue;
      }
      if (!existing && plan.mode === 'update') {
        fail(row, [
          row.key === null
            ? { field: name, code: 'required', message: `${name} is needed to find the record to update` }
            : { field: name, code: 'not_found', message: `no ${plan.object.name} with ${name} ${row.key}` },
        ]);
        continue;
      }
      if (existing && !existing.__writable) {
        fail(row, [
          {
            field: name,
            code: 'forbidden',
            message: `you may see this ${plan.object.name} (${existing.id as string}) but not change it`,
          },
        ]);
        continue;
      }
      const values = { ...row.values };
      if (
        !existing &&
        self &&
        values[OWNER] === undefined &&
        plan.object.fields.some((f) => f.name === OWNER)
      )
        values[OWNER] = self;
      const issues = validateRow(plan.def, values, existing ? 'update' : 'create');
      if (issues.length) {
        fail(row, issues);
        continue;
      }
      const map = new Map<FieldDef, unknown>();
      for (const [k, v] of Object.entries(values))
        map.set(
          plan.object.fields.find((f) => f.name === k)!,
          v,
        );
      if (existing) {
        delete (existing as Partial<typeof existing>).__writable;
        updates.push({ row, id: existing.id as string, values: map, before: existing });
      } else creates.push({ row, id: newId(), values: map });
    }
    return { creates, updates };
  }

  /** The set-based writes, under a savepoint; a row-level rejection falls back to row by row. */
  private async writeAll(
    em: EntityManager,
    plan: ImportPlan,
    creates: Write[],
    updates: Write[],
    fail: (row: Row, issues: FieldIssue[]) => void,
  ): Promise<{ created: Done[]; updated: Done[]; unchanged: number }> {
    const out = { created: [] as Done[], updated: [] as Done[], unchanged: 0 };
    if (creates.length === 0 && updates.length === 0) return out;
    await em.query('SAVEPOINT import_chunk');
    try {
      await this.write(em, plan, creates, updates, fail, out);
      await em.query('RELEASE SAVEPOINT import_chunk');
      return out;
    } catch (e) {
      if (!isRowFault(e)) throw e;
      await em.query('ROLLBACK TO SAVEPOINT import_chunk');
    }
    const retry = { created: [] as Done[], updated: [] as Done[], unchanged: 0 };
    for (const w of [...creates, ...updates]) {
      await em.query('SAVEPOINT import_row');
      try {
        const one = { created: [] as Done[], updated: [] as Done[], unchanged: 0 };
        await this.write(em, plan, w.before ? [] : [w], w.before ? [w] : [], fail, one);
        await em.query('RELEASE SAVEPOINT import_row');
        retry.created.push(...one.created);
        retry.updated.push(...one.updated);
        retry.unchanged += one.unchanged;
      } catch (e) {
        if (!isRowFault(e)) throw e;
        await em.query('ROLLBACK TO SAVEPOINT import_row');
        await em.query('RELEASE SAVEPOINT import_row');
        fail(w.row, [
          {
            field: '',
            code: 'rejected',
            message: `the database refused the row (${e.constraint ?? e.message})`,
          },
        ]);
      }
    }
    await em.query('RELEASE SAVEPOINT import_chunk').catch(() => undefined);
    return retry;
  }

  private async write(
    em: EntityManager,
    plan: ImportPlan,
    creates: Write[],
    updates: Write[],
    fail: (row: Row, issues: FieldIssue[]) => void,
    out: { created: Done[]; updated: Done[]; unchanged: number },
  ): Promise<void> {
    for (const group of bySignature(creates)) {
      const rows = await this.insert(em, plan, group);
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      for (const w of group) {
        const after = byId.get(w.id);
        if (after) out.created.push({ id: w.id, line: w.row.line, after });
        else
          fail(w.row, [
            {
              field: plan.match.name,
              code: 'conflict',
              message: `another ${plan.object.name} (deleted, or one you cannot see) has this ${plan.match.name}`,
            },
          ]);
      }
    }
    for (const group of bySignature(updates)) {
      const rows = await this.update(em, plan, group);
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      for (const w of group) {
        const after = byId.get(w.id);
        if (after) out.updated.push({ id: w.id, line: w.row.line, before: w.before, after });
        else out.unchanged++;
      }
    }
  }

  /**
   * The group's values as a row source: one JSON array of texts per column (JSON.stringify is
   * native and makes one string; pg's array literals escaped element by element and were the
   * largest source of garbage), zipped by ROWS FROM and cast back to the columns' types.
   */
  private source(fields: FieldDef[], group: Write[], params: SqlParams): string {
    const n = group.length;
    const ids = new Array<string>(n);
    for (let i = 0; i < n; i++) ids[i] = group[i].id;
    const columns = [params.add(JSON.stringify(ids))];
    for (const f of fields) {
      const texts = new Array<string | null>(n);
      for (let i = 0; i < n; i++) texts[i] = toText(f, group[i].values.get(f));
      columns.push(params.add(JSON.stringify(texts)));
    }
    const names = fields.map((_, i) => `c${i}`);
    const rows = `ROWS FROM (${columns.map((c) => `json_array_elements_text(${c}::json)`).join(', ')}) AS u(id${names.map((n) => `, ${n}`).join('')})`;
    const select = fields.map((f, i) => `${cast(f, `u.${names[i]}`)} AS ${ident(f.column)}`);
    return `(SELECT u.id::uuid AS id${select.map((s) => `, ${s}`).join('')} FROM ${rows}) x`;
  }

  private async insert(em: EntityManager, plan: ImportPlan, group: Write[]): Promise<RecordData[]> {
    const fields = [...group[0].values.keys()];
    const params = new SqlParams();
    const src = this.source(fields, group, params);
    const cols = ['tenant_id', 'id', ...fields.map((f) => f.column)].map(ident).join(', ');
    return em.query(
      `INSERT INTO ${table(plan.object)} AS t (${cols})
       SELECT app_tenant_id(), x.id${fields.map((f) => `, x.${ident(f.column)}`).join('')} FROM ${src}
       ON CONFLICT DO NOTHING RETURNING ${selectList(plan.object.fields)}`,
      params.values,
    );
  }

  private async update(em: EntityManager, plan: ImportPlan, group: Write[]): Promise<RecordData[]> {
    const fields = [...group[0].values.keys()];
    if (fields.length === 0) return [];
    const params = new SqlParams();
    const src = this.source(fields, group, params);
    const sets = fields.map((f) => `${ident(f.column)} = x.${ident(f.column)}`);
    const mine = fields.map((f) => col('t', f.column)).join(', ');
    const theirs = fields.map((f) => `x.${ident(f.column)}`).join(', ');
    const result: unknown = await em.query(
      `UPDATE ${table(plan.object)} AS t SET ${sets.join(', ')}, "version" = t."version" + 1, "updated_at" = now()
         FROM ${src}
        WHERE t."id" = x.id AND (${mine}, NULL::int) IS DISTINCT FROM (${theirs}, NULL::int)
       RETURNING ${selectList(plan.object.fields)}`,
      params.values,
    );
    return returned<RecordData>(result);
  }
}

interface Done {
  id: string;
  line: number;
  before?: RecordData;
  after: RecordData;
}

/** Writes grouped by the set of fields they carry (one statement per group; usually one group). */
function bySignature(writes: Write[]): Write[][] {
  const groups = new Map<string, Write[]>();
  for (const w of writes) {
    const sig = [...w.values.keys()].map((f) => f.name).join(',');
    const group = groups.get(sig);
    if (group) group.push(w);
    else groups.set(sig, [w]);
  }
  return [...groups.values()];
}

const NOT_DIFFED = new Set(['id', 'createdAt', 'updatedAt', 'version']);

/**
 * record-diff's createdChanges for a row as Postgres returned it, without its JSON round trip per
 * value: the values are strings, numbers, booleans, arrays, parsed JSON or Dates, which JSON
 * would store as they are (Dates as ISO strings). Same output, a fraction of the cost per row.
 */
function createdFast(object: ObjectDef, after: RecordData): AuditChanges {
  const out: AuditChanges = {};
  for (const name of diffedNames(object)) {
    const v = after[name];
    if (v === null || v === undefined) continue;
    // Keys in canonical (sorted) order, here and in each value: the audit writer then serialises
    // the event with one native JSON.stringify (same text, same hash as any other key order).
    out[name] = { after: v instanceof Date ? v.toISOString() : v, before: null };
  }
  return out;
}

const DIFFED = new WeakMap<ObjectDef, string[]>();
/** The object's audited field names, sorted as canonical JSON sorts keys. */
function diffedNames(object: ObjectDef): string[] {
  let names = DIFFED.get(object);
  if (!names) {
    names = object.fields
      .map((f) => f.name)
      .filter((n) => !NOT_DIFFED.has(n))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    DIFFED.set(object, names);
  }
  return names;
}

/** Keys with an index on (tenant_id, <column>): looked up one index probe per key. */
const INDEXED_KEYS = new Set(['id', 'externalId', 'email']);

/**
 * The records whose `field` is one of the keys in `param` (an array). Statements run with generic
 * plans, and for `col = ANY($1)` the generic plan scans the whole tenant's index range and filters
 * (150 ms for 5,000 keys on a small tenant, growing with the tenant); for indexed keys the lookup
 * is a LATERAL subquery per key instead — one index probe each, whatever the tenant's size.
 */
function keyedScan(field: FieldDef, param: string): { from: (select: string) => string; where: string[] } {
  const type = field.type === 'uuid' ? 'uuid' : 'text';
  if (!INDEXED_KEYS.has(field.name))
    return { from: (select) => select, where: [`${col('t', field.column)} = ANY(${param}::${type}[])`] };
  return {
    from: (select) => `SELECT x.* FROM unnest(${param}::${type}[]) AS k(key), LATERAL (${select}) x`,
    where: ['t."tenant_id" = app_tenant_id()', `${col('t', field.column)} = k.key`],
  };
}
