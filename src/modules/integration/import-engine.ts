import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { updatedChanges } from '../../platform/audit/record-diff.js';
import { actorOf, AuditService, canonical } from '../../platform/audit/audit.service.js';
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
import { rawOf, StagedLine } from './import-staging.js';

/** A staged line (import_chunks). */
export type StagedRow = StagedLine;

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
  staged: StagedRow;
  key: string | null;
  failed: boolean;
}

/** A row ready to write. */
interface Write {
  row: Row;
  id: string;
  /** field name → value, every name a field of the object (validated) */
  values: Record<string, unknown>;
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
 * predicate), then one UPDATE … FROM (rows of JSON arrays) for the changed matches (unchanged
 * rows are detected with IS DISTINCT FROM and not touched), one plain INSERT … SELECT for the new
 * ones, their audit events (recordMany) and outbox events.
 *
 * The INSERT has no ON CONFLICT clause: Postgres's speculative insertion costs about 65% more per
 * row (measured on contacts), and the match lookup has already found and locked every record the
 * rows' keys name — including, for a unique key (externalId), records the importer cannot match
 * (deleted or not visible: those rows fail as `conflict` up front). Only a concurrent writer can
 * still take a key in between; its unique violation makes the chunk retry row by row.
 *
 * A row that repeats a key earlier in the same chunk waits for a later "wave", so rows apply in
 * file order. A statement that Postgres rejects for one row's data (a check constraint, a value
 * out of range, a unique key taken) is retried row by row under savepoints, so only that row fails.
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
    /** waits for earlier chunks in flight that carry one of these match keys (ChunkOrder) */
    claim: (keys: Iterable<string>) => Promise<void> = async () => undefined,
  ): Promise<ChunkResult> {
    // Leads and opportunities go row by row through their own services (import-service-rows.ts).
    const perRow = serviceRowsFor(this, plan);
    if (perRow) {
      await claim([]);
      return perRow.processChunk(em, ctx, plan, header, staged);
    }
    const result: ChunkResult = { created: 0, updated: 0, unchanged: 0, failed: 0, errors: [] };
    const fail = (row: Row, issues: FieldIssue[]) => {
      if (!row.failed) result.failed++;
      row.failed = true;
      const raw = rawOf(row.staged);
      issues.forEach((i) =>
        result.errors.push({ line: row.line, field: i.field || null, code: i.code, message: i.message, raw }),
      );
    };
    const fields = header ? this.fieldsOf(plan, header) : null;
    const rows: Row[] = [];
    for (const s of staged) {
      const row: Row = {
        line: s.lineNo,
        staged: s,
        key: null,
        failed: false,
        values: {},
        refs: {},
        issues: [],
      };
      rows.push(row);
      if (s.parseError !== null || s.value === null || Array.isArray(s.value) !== (fields !== null)) {
        fail(row, [{ field: '', code: 'malformed', message: s.parseError ?? 'unreadable line' }]);
        continue;
      }
      const mapped = fields ? fromCsv(plan, fields, s.value as string[]) : fromJson(plan, s.value as string);
      Object.assign(row, mapped);
      if (row.issues.length) fail(row, row.issues);
      const key = row.values[plan.match.name];
      row.key = key === null || key === undefined || key === '' ? null : String(key);
      if (plan.match.name === 'id') delete row.values.id;
    }
    const keys = new Set<string>();
    for (const row of rows) if (!row.failed && row.key !== null) keys.add(row.key);
    await claim(keys);
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
    // Outbox payloads name the fields written (registry order): every field for a new record.
    const payloads = new Map<string, string>();
    const allFields = plan.object.fields.map((f) => f.name).filter((n) => !NOT_DIFFED.has(n));
    for (const wave of waves) {
      const { creates, updates } = await this.classify(em, ctx, plan, wave, fail);
      const written = await this.writeAll(em, plan, creates, updates, fail);
      for (const w of written.created) {
        result.created++;
        events.push({
          action: 'create',
          object: plan.object.name,
          recordId: w.id,
          changesJson: createdJson(plan.object, w.after),
          details: { importJob: jobId, line: w.line, version: w.after.version },
        });
        outbox.push(this.event(plan, 'created', w.id, w.after.version, allFields, jobId, payloads));
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
        const fields = plan.object.fields
          .map((f) => f.name)
          .filter((n) => n in changes && !NOT_DIFFED.has(n));
        outbox.push(this.event(plan, 'updated', w.id, w.after.version, fields, jobId, payloads));
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

  /**
   * The outbox event of a created or updated record: `<plural>.created|updated` with the version,
   * the names of the fields written (registry order) and the job. Events with the same version
   * and fields share one serialised payload.
   */
  private event(
    plan: ImportPlan,
    what: 'created' | 'updated',
    id: string,
    version: unknown,
    fields: readonly string[],
    jobId: string,
    payloads: Map<string, string>,
  ): OutboxEvent {
    let names = JOINED.get(fields);
    if (names === undefined) JOINED.set(fields, (names = fields.join(',')));
    const key = `${what}\u0000${String(version)}\u0000${names}`;
    let payloadJson = payloads.get(key);
    if (payloadJson === undefined) {
      payloadJson = JSON.stringify({ version, fields, importJob: jobId });
      payloads.set(key, payloadJson);
    }
    return { type: `${plan.object.plural}.${what}`, object: plan.object.plural, recordId: id, payloadJson };
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
    // Keys held by a record the importer cannot match (deleted, or not visible to them): with a
    // unique match key (externalId) such a row can be neither created nor updated.
    const taken = new Set<string>();
    if (keys.length > 0) {
      const object = plan.object;
      const params = new SqlParams([keys]);
      const { from, where } = keyedScan(plan.match, '$1');
      const live: string[] = object.softDelete ? ['t."deleted_at" IS NULL'] : [];
      const visible = this.policy.readPredicate(ctx, object, 't', params);
      if (visible) live.push(visible);
      const unique = plan.match.name === 'externalId';
      if (!unique) where.push(...live);
      const writable = this.policy.writePredicate(ctx, object, 't', params) ?? 'TRUE';
      const seen = unique && live.length ? `(${live.join(' AND ')})` : 'TRUE';
      const found: (RecordData & { __key: string; __writable: boolean; __seen: boolean })[] = await em.query(
        from(
          `SELECT ${selectList(object.fields)}, ${col('t', plan.match.column)}::text AS "__key", (${writable}) AS "__writable",
                  ${seen} AS "__seen"
             FROM ${table(object)} t WHERE ${where.join(' AND ')} FOR UPDATE OF t`,
        ),
        params.values,
      );
      for (const r of found) {
        const k = r.__key;
        const isSeen = r.__seen;
        delete (r as Partial<typeof r>).__key;
        delete (r as Partial<typeof r>).__seen;
        if (!isSeen) {
          taken.add(k);
          continue;
        }
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
      if (!existing && row.key !== null && taken.has(row.key) && plan.mode !== 'update') {
        fail(row, [
          {
            field: name,
            code: 'conflict',
            message: `another ${plan.object.name} (deleted, or one you cannot see) has this ${name}`,
          },
        ]);
        continue;
      }
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
      const values = row.values;
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
      if (existing) {
        delete (existing as Partial<typeof existing>).__writable;
        updates.push({ row, id: existing.id as string, values, before: existing });
      } else creates.push({ row, id: newId(), values });
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
      await this.write(em, plan, creates, updates, out);
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
        await this.write(em, plan, w.before ? [] : [w], w.before ? [w] : [], one);
        await em.query('RELEASE SAVEPOINT import_row');
        retry.created.push(...one.created);
        retry.updated.push(...one.updated);
        retry.unchanged += one.unchanged;
      } catch (e) {
        if (!isRowFault(e)) throw e;
        await em.query('ROLLBACK TO SAVEPOINT import_row');
        await em.query('RELEASE SAVEPOINT import_row');
        // A unique key taken since the chunk looked (a concurrent write), or by another row's value.
        fail(w.row, [
          e.code === '23505'
            ? {
                field: e.constraint?.endsWith('_external_id') ? 'externalId' : '',
                code: 'conflict',
                message: `another ${plan.object.name} has the same value (${e.constraint ?? 'unique key'})`,
              }
            : {
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
    out: { created: Done[]; updated: Done[]; unchanged: number },
  ): Promise<void> {
    for (const group of bySignature(plan.object, creates)) {
      const rows = await this.insert(em, plan, group);
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      for (const w of group.writes) {
        // A plain INSERT returns every row it inserted, or fails as a whole.
        const after = byId.get(w.id);
        if (!after) throw new Error(`import: the insert returned no row for ${w.id}`);
        out.created.push({ id: w.id, line: w.row.line, after });
      }
    }
    for (const group of bySignature(plan.object, updates)) {
      const rows = await this.update(em, plan, group);
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      for (const w of group.writes) {
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
      for (let i = 0; i < n; i++) texts[i] = toText(f, group[i].values[f.name]);
      columns.push(params.add(JSON.stringify(texts)));
    }
    const names = fields.map((_, i) => `c${i}`);
    const rows = `ROWS FROM (${columns.map((c) => `json_array_elements_text(${c}::json)`).join(', ')}) AS u(id${names.map((n) => `, ${n}`).join('')})`;
    const select = fields.map((f, i) => `${cast(f, `u.${names[i]}`)} AS ${ident(f.column)}`);
    return `(SELECT u.id::uuid AS id${select.map((s) => `, ${s}`).join('')} FROM ${rows}) x`;
  }

  /**
   * Inserts a group; answers each new record as Postgres stored it. Values of the types Postgres
   * stores exactly as sent (text, enums, booleans, string arrays, JSON; UUIDs, lowercased) are
   * taken from what was sent rather than read back: only the other columns (the id, defaults,
   * timestamps, numbers) come back from the INSERT — returning every column cost half as much
   * again as the insert itself (13 µs a row on contacts).
   */
  private async insert(
    em: EntityManager,
    plan: ImportPlan,
    { fields, writes: group }: WriteGroup,
  ): Promise<RecordData[]> {
    const params = new SqlParams();
    const src = this.source(fields, group, params);
    const cols = ['tenant_id', 'id', ...fields.map((f) => f.column)].map(ident).join(', ');
    const asSent = fields.filter((f) => STORED_AS_SENT.has(f.type) || f.type === 'uuid');
    const readBack = plan.object.fields.filter((f) => !asSent.includes(f));
    const rows: RecordData[] = await em.query(
      `INSERT INTO ${table(plan.object)} AS t (${cols})
       SELECT app_tenant_id(), x.id${fields.map((f) => `, x.${ident(f.column)}`).join('')} FROM ${src}
       RETURNING ${selectList(readBack)}`,
      params.values,
    );
    if (asSent.length === 0 || rows.length === 0) return rows;
    const sent = new Map(group.map((w) => [w.id, w.values]));
    for (const row of rows) {
      const values = sent.get(row.id as string)!;
      for (const f of asSent) {
        const v = values[f.name] ?? null;
        // A UUID (validated as 8-4-4-4-12 hex) reads back in lowercase.
        row[f.name] = f.type === 'uuid' && typeof v === 'string' ? v.toLowerCase() : v;
      }
    }
    return rows;
  }

  private async update(
    em: EntityManager,
    plan: ImportPlan,
    { fields, writes: group }: WriteGroup,
  ): Promise<RecordData[]> {
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

interface WriteGroup {
  fields: FieldDef[];
  writes: Write[];
}

/**
 * Writes grouped by the fields they carry, in the same order (one statement per group; usually
 * one group): a write joins the first group whose field names its values' keys match, compared
 * key by key without building a signature per row.
 */
function bySignature(object: ObjectDef, writes: Write[]): WriteGroup[] {
  const groups: (WriteGroup & { names: string[] })[] = [];
  for (const w of writes) {
    let group = groups.find((g) => sameKeys(w.values, g.names));
    if (!group) {
      const names = Object.keys(w.values);
      const byName = fieldsByName(object);
      group = { names, fields: names.map((n) => byName.get(n)!), writes: [] };
      groups.push(group);
    }
    group.writes.push(w);
  }
  return groups;
}

function sameKeys(values: Record<string, unknown>, names: readonly string[]): boolean {
  let i = 0;
  for (const k in values) if (names[i++] !== k) return false;
  return i === names.length;
}

const BY_NAME = new WeakMap<ObjectDef, Map<string, FieldDef>>();
function fieldsByName(object: ObjectDef): Map<string, FieldDef> {
  let map = BY_NAME.get(object);
  if (!map) {
    map = new Map(object.fields.map((f) => [f.name, f]));
    BY_NAME.set(object, map);
  }
  return map;
}

/** Field-name lists joined once (the list every created record's outbox event names is shared). */
const JOINED = new WeakMap<readonly string[], string>();

/** Field types whose stored value reads back exactly as it was written. */
const STORED_AS_SENT = new Set<FieldDef['type']>([
  'string',
  'text',
  'enum',
  'boolean',
  'stringArray',
  'json',
]);

const NOT_DIFFED = new Set(['id', 'createdAt', 'updatedAt', 'version']);

/**
 * The canonical JSON of record-diff's createdChanges for a row as Postgres returned it, built as
 * text: `{"<field>":{"after":<value>,"before":null},…}` over the non-null audited fields in sorted
 * order, each value as canonical JSON (strings, numbers and booleans natively, Dates as ISO
 * strings, arrays and objects through the audit writer's canonical form) — the exact text
 * AuditService would make of the changes object, without building that object for every row.
 */
function createdJson(object: ObjectDef, after: RecordData): string {
  let out = '{';
  for (const name of diffedNames(object)) {
    const v = after[name];
    if (v === null || v === undefined) continue;
    const json =
      typeof v === 'string'
        ? JSON.stringify(v)
        : typeof v === 'number' || typeof v === 'boolean'
          ? JSON.stringify(v)
          : v instanceof Date
            ? JSON.stringify(v.toISOString())
            : canonical(v);
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(name)}:{"after":${json},"before":null}`;
  }
  return `${out}}`;
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
