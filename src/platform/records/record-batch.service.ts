import { Global, Injectable, Logger, Module, Type, ValidationPipe } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { RequestContext } from '../context/request-context.js';
import { TenantDb } from '../database/tenant-db.js';
import { DomainError, FieldIssue } from '../http/domain-error.js';
import { toDomainError } from '../http/problem.js';
import { createValidationPipe } from '../http/validation.js';
import { SqlParams } from '../query/index.js';
import { ident } from '../query/sql.js';
import { FieldDef, ObjectDef, registry } from '../registry/object-registry.js';
import { assertPermission } from '../security/assert-permission.js';
import { recordPermission } from '../security/permissions.js';
import { RecordPolicy } from '../security/policy/record-policy.js';
import { BatchOperationDto, BatchRequestDto } from './record-batch.dto.js';
import { ObjectService } from './object.service.js';
import { table } from './record-sql.js';
import type { RecordData } from './record.types.js';

/** The input classes an object's single endpoints validate with; batch items are validated with the same. */
export interface BatchInputs {
  create: Type<object>;
  update: Type<object>;
}

export interface BatchItemError {
  status: number;
  code: string;
  detail: string;
  reason?: string;
  errors?: FieldIssue[];
}

export interface BatchItemResult {
  index: number;
  op: string;
  status: number;
  id?: string;
  record?: RecordData;
  error?: BatchItemError;
}

export interface BatchResult {
  atomic: boolean;
  results: BatchItemResult[];
  summary: { succeeded: number; failed: number };
}

export interface UpsertResult {
  created: boolean;
  record: RecordData;
}

const pipes = new WeakMap<Type<object>, ValidationPipe>();
/** The single endpoints' ValidationPipe for `type` (whitelist, forbidNonWhitelisted, transform). */
function validate<T extends object>(type: Type<T>, value: unknown): Promise<T> {
  let pipe = pipes.get(type);
  if (!pipe) pipes.set(type, (pipe = createValidationPipe(type)));
  return pipe.transform(value, { type: 'body', metatype: type }) as Promise<T>;
}

/** An operation's `data`, validated like the single endpoint's body; issues are named `data.<field>`. */
async function validateData<T extends object>(type: Type<T>, value: unknown): Promise<T> {
  try {
    return await validate(type, value);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const issues = e.errors.map((i) => ({ ...i, field: `data.${i.field}` }));
    throw new DomainError(e.code, `In data: ${e.detail}`, issues);
  }
}

/** Thrown out of an atomic batch's transaction: which operation failed, and why. */
class OperationFailed extends Error {
  constructor(
    readonly index: number,
    readonly op: string,
    readonly error: unknown,
  ) {
    super(`operation ${index} failed`);
  }
}

/**
 * Batches and upserts by external id for any record object, on top of its ObjectService (so every
 * module's own rules, the object and field permissions, record-level security, validation and
 * audit apply to each operation exactly as on the single endpoints). docs/integration.md.
 */
@Injectable()
export class RecordBatchService {
  private readonly logger = new Logger('batch');

  constructor(
    private readonly db: TenantDb,
    private readonly policy: RecordPolicy,
    private readonly audit: AuditService,
  ) {}

  // -------------------------------------------------------------------------------- upsert

  /**
   * Creates the record with this external id, or merge-updates the one that has it. Needs create
   * and update on the object. Concurrent upserts of one external id are serialised by a
   * transaction-scoped advisory lock on (tenant, object, external id), so exactly one creates; a
   * create racing in from elsewhere (POST, an import) loses to the unique index and the upsert is
   * retried once, as an update.
   */
  async upsert(
    ctx: RequestContext,
    service: ObjectService,
    externalId: string,
    input: object,
    expectedVersion?: number,
  ): Promise<UpsertResult> {
    try {
      return await this.upsertOnce(ctx, service, externalId, input, expectedVersion);
    } catch (e) {
      if (toDomainError(e).code !== 'DUPLICATE_EXTERNAL_ID') throw e;
      return this.upsertOnce(ctx, service, externalId, input, expectedVersion);
    }
  }

  private upsertOnce(
    ctx: RequestContext,
    service: ObjectService,
    externalId: string,
    input: object,
    expectedVersion?: number,
  ): Promise<UpsertResult> {
    const object = service.object;
    const field = this.externalIdField(object);
    assertPermission(
      ctx,
      recordPermission(object.plural, 'create'),
      recordPermission(object.plural, 'update'),
    );
    checkExternalId(externalId);
    const body: Record<string, unknown> = { ...input };
    if (body.externalId !== undefined && body.externalId !== externalId)
      throw new DomainError('VALIDATION_FAILED', 'externalId in the body differs from the one in the path.', [
        { field: 'externalId', code: 'mismatch', message: 'externalId must match the path (or be left out)' },
      ]);
    return this.db.inTransaction(ctx, async (tx, em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended(app_tenant_id()::text || $1, 0))`, [
        `:${object.name}:${externalId}`,
      ]);
      const deleted = object.softDelete ? 't."deleted_at" IS NOT NULL' : 'false';
      const rows: { id: string; deleted: boolean }[] = await em.query(
        `SELECT t."id" AS "id", ${deleted} AS "deleted" FROM ${table(object)} t WHERE t.${ident(field.column)} = $1 FOR UPDATE`,
        [externalId],
      );
      const found = rows[0];
      if (!found) {
        if (expectedVersion !== undefined)
          throw new DomainError(
            'VERSION_MISMATCH',
            `No ${object.name} has externalId ${externalId}, so it is at no version; drop If-Match/expectedVersion to create it.`,
          );
        return { created: true, record: await service.create(tx, { ...body, externalId }) };
      }
      if (found.deleted)
        throw new DomainError(
          'DUPLICATE_EXTERNAL_ID',
          `A deleted ${object.name} has externalId ${externalId}; restore it (POST /v1/${object.plural}/{id}/restore) before upserting.`,
          [{ field: 'externalId', code: 'deleted', message: 'the record with this externalId is deleted' }],
        );
      const { externalId: _same, ...patch } = body;
      try {
        return { created: false, record: await service.update(tx, found.id, patch, expectedVersion) };
      } catch (e) {
        // Someone else's record the caller may not see: say no more than a create would.
        if (toDomainError(e).code === 'NOT_FOUND')
          throw new DomainError('DUPLICATE_EXTERNAL_ID', 'Another record already has this externalId.', [
            { field: 'externalId', code: 'duplicate', message: 'externalId must be unique' },
          ]);
        throw e;
      }
    });
  }

  // --------------------------------------------------------------------------------- batch

  /**
   * Runs the operations in order. Atomic: in one transaction, the first failure rolls everything
   * back and is the answer (its status, its problem, naming the operation). Not atomic: each in a
   * transaction of its own; the result lists every operation's status, record or problem.
   */
  async batch(
    ctx: RequestContext,
    service: ObjectService,
    inputs: BatchInputs,
    request: BatchRequestDto,
  ): Promise<BatchResult> {
    const operations = request.operations as unknown[];
    if (request.atomic) {
      try {
        const results = await this.db.inTransaction(ctx, async (tx) => {
          const out: BatchItemResult[] = [];
          for (let i = 0; i < operations.length; i++) {
            try {
              out.push(await this.runOne(tx, service, inputs, operations[i], i, true));
            } catch (e) {
              throw new OperationFailed(i, opName(operations[i]), e);
            }
          }
          return out;
        });
        return { atomic: true, results, summary: { succeeded: results.length, failed: 0 } };
      } catch (e) {
        if (e instanceof OperationFailed) throw atomicFailure(e, operations.length);
        throw e;
      }
    }
    const results: BatchItemResult[] = [];
    for (let i = 0; i < operations.length; i++) {
      try {
        results.push(await this.runOne(ctx, service, inputs, operations[i], i, false));
      } catch (e) {
        const error = toDomainError(e);
        if (error.code === 'INTERNAL') this.logger.error(e instanceof Error ? e.stack : String(e));
        if (error.status === 403) await this.auditDenied(ctx, service.object, operations[i], i, error);
        results.push({ index: i, op: opName(operations[i]), status: error.status, error: itemError(error) });
      }
    }
    const failed = results.filter((r) => r.error).length;
    return { atomic: false, results, summary: { succeeded: results.length - failed, failed } };
  }

  private async runOne(
    ctx: RequestContext,
    service: ObjectService,
    inputs: BatchInputs,
    raw: unknown,
    index: number,
    atomic: boolean,
  ): Promise<BatchItemResult> {
    const op = await validate(BatchOperationDto, raw);
    const object = service.object;
    const base = { index, op: op.op };
    const refuse = (field: string, message: string) =>
      new DomainError('VALIDATION_FAILED', `Invalid operation: ${message}.`, [
        { field, code: 'invalid', message },
      ]);
    switch (op.op) {
      case 'create': {
        if (op.id !== undefined) throw refuse('id', 'create makes its own id; leave id out');
        if (op.expectedVersion !== undefined)
          throw refuse('expectedVersion', 'create takes no expectedVersion');
        const data = await validateData(inputs.create, op.data ?? {});
        const record = await service.create(ctx, data);
        return { ...base, status: 201, id: record.id as string, record };
      }
      case 'update': {
        if (op.data === undefined) throw refuse('data', 'update needs data (the merge patch)');
        const data = await validateData(inputs.update, op.data);
        const id = await this.target(ctx, object, op);
        const record = await service.update(ctx, id, data, op.expectedVersion);
        return { ...base, status: 200, id, record };
      }
      case 'upsert': {
        if (op.id !== undefined) throw refuse('id', 'upsert matches on externalId; leave id out');
        const externalId = op.externalId ?? op.data?.externalId;
        if (typeof externalId !== 'string') throw refuse('externalId', 'upsert needs externalId');
        const data = await validateData(inputs.create, op.data ?? {});
        // Inside an atomic batch the transaction cannot survive a failed statement: no retry there.
        const upsert = atomic ? this.upsertOnce.bind(this) : this.upsert.bind(this);
        const { created, record } = await upsert(ctx, service, externalId, data, op.expectedVersion);
        return { ...base, status: created ? 201 : 200, id: record.id as string, record };
      }
      case 'delete': {
        if (op.data !== undefined) throw refuse('data', 'delete takes no data');
        const id = await this.target(ctx, object, op);
        await service.remove(ctx, id, op.expectedVersion);
        return { ...base, status: 204, id };
      }
    }
  }

  /** The record an update or delete names: `id`, or the live record with `externalId` the caller can see. */
  private async target(ctx: RequestContext, object: ObjectDef, op: BatchOperationDto): Promise<string> {
    if (op.id !== undefined) {
      if (op.externalId !== undefined)
        throw new DomainError('VALIDATION_FAILED', 'Invalid operation: give id or externalId, not both.', [
          { field: 'externalId', code: 'invalid', message: 'give id or externalId, not both' },
        ]);
      return op.id;
    }
    if (op.externalId === undefined)
      throw new DomainError('VALIDATION_FAILED', `Invalid operation: ${op.op} needs id or externalId.`, [
        { field: 'id', code: 'required', message: `${op.op} needs id or externalId` },
      ]);
    const field = this.externalIdField(object);
    const externalId = op.externalId;
    const rows: { id: string }[] = await this.db.read(ctx, (em) => {
      const params = new SqlParams([externalId]);
      const where = [`t.${ident(field.column)} = $1`];
      if (object.softDelete) where.push('t."deleted_at" IS NULL');
      const visible = this.policy.readPredicate(ctx, object, 't', params);
      if (visible) where.push(visible);
      return em.query(
        `SELECT t."id" AS "id" FROM ${table(object)} t WHERE ${where.join(' AND ')}`,
        params.values,
      );
    });
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No ${object.name} with externalId ${externalId}.`);
    return rows[0].id;
  }

  private externalIdField(object: ObjectDef): FieldDef {
    const field = registry.field(object, 'externalId');
    if (!field)
      throw new DomainError('VALIDATION_FAILED', `A ${object.name} has no externalId to match on.`, [
        { field: 'externalId', code: 'unsupported', message: `${object.plural} have no externalId` },
      ]);
    return field;
  }

  /** A refused operation of a non-atomic batch is audited like a refused single request. */
  private async auditDenied(
    ctx: RequestContext,
    object: ObjectDef,
    raw: unknown,
    index: number,
    error: DomainError,
  ): Promise<void> {
    const id = (raw as { id?: unknown } | null)?.id;
    await this.audit.recordDenied(ctx, {
      object: object.name,
      recordId: typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : null,
      details: {
        operation: `POST /v1/${object.plural}/batch ${opName(raw)}`,
        index,
        code: error.code,
        ...(error.reason ? { reason: error.reason } : {}),
        detail: error.detail.slice(0, 300),
      },
    });
  }
}

/** Provides RecordBatchService to every record controller and resolver (they inject it by property). */
@Global()
@Module({ providers: [RecordBatchService], exports: [RecordBatchService] })
export class RecordBatchModule {}

function checkExternalId(externalId: string): void {
  if (externalId.length < 1 || externalId.length > 255)
    throw new DomainError('VALIDATION_FAILED', 'externalId must be 1 to 255 characters.', [
      { field: 'externalId', code: 'length', message: 'externalId must be 1 to 255 characters' },
    ]);
}

function opName(raw: unknown): string {
  const op = (raw as { op?: unknown } | null)?.op;
  return typeof op === 'string' ? op : 'unknown';
}

function itemError(error: DomainError): BatchItemError {
  return {
    status: error.status,
    code: error.code,
    detail: error.detail,
    ...(error.reason ? { reason: error.reason } : {}),
    ...(error.errors.length ? { errors: error.errors } : {}),
  };
}

/** The failing operation's problem, with its index in the detail and in every field path. */
function atomicFailure(failure: OperationFailed, total: number): DomainError {
  const error = toDomainError(failure.error);
  if (error.code === 'INTERNAL') throw failure.error;
  const at = `operations[${failure.index}]`;
  const issues: FieldIssue[] = error.errors.length
    ? error.errors.map((i) => ({ ...i, field: `${at}.${i.field}` }))
    : [{ field: at, code: error.code.toLowerCase(), message: error.detail }];
  return new DomainError(
    error.code,
    `Operation ${failure.index} (${failure.op}) failed, so none of the ${total} operations was applied: ${error.detail}`,
    issues,
    error.reason ? { reason: error.reason } : {},
  );
}
