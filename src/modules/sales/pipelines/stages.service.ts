import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { Page, RecordData } from '../../../platform/records/record.types.js';
import { OpportunityStageMover } from '../opportunities/stage-history.service.js';
import { conflict, findStage, invalid, pipelineStages, SalesRecords, StageRow } from '../sales-sql.js';
import { CreateStageInput, MAX_STAGES, UpdateStageInput } from './pipeline.dto.js';
import { PIPELINE, STAGE } from './pipeline.object.js';

/**
 * The stages of a pipeline: added (at the end or at a position), changed, reordered as a whole
 * and deleted. Positions stay 1..n without gaps; every change of order happens under a lock on
 * the pipeline row, so concurrent changes of one pipeline's stages queue instead of interleaving,
 * and is audited once on the pipeline (`reorder_stages`, the id order before and after).
 */
@Injectable()
export class StagesService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly sales: SalesRecords,
    private readonly audit: AuditService,
    private readonly fieldPolicy: FieldPolicy,
    private readonly mover: OpportunityStageMover,
  ) {
    super(records, STAGE);
  }

  /** The live stages of a pipeline in order (404 when the pipeline is not visible). */
  async listForPipeline(ctx: RequestContext, pipelineId: string): Promise<Page> {
    this.require(ctx, 'read');
    await this.records.get(ctx, PIPELINE, pipelineId, { fields: 'id' });
    return this.list(
      ctx,
      { sort: 'position', limit: MAX_STAGES },
      { where: (params, t) => `${t}."pipeline_id" = ${params.add(pipelineId)}::uuid` },
    );
  }

  /** Adds a stage to a pipeline, at the end or at `position` (the later ones move down). */
  async addToPipeline(ctx: RequestContext, pipelineId: string, input: CreateStageInput): Promise<RecordData> {
    this.require(ctx, 'create');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      await this.lockPipeline(em, tx, pipelineId);
      const stages = await pipelineStages(em, pipelineId);
      if (stages.length >= MAX_STAGES)
        throw conflict('pipelineId', 'too_many_stages', `a pipeline has at most ${MAX_STAGES} stages`);
      const at = input.position ?? stages.length + 1;
      if (at > stages.length + 1)
        throw invalid(
          'position',
          'out_of_range',
          `position must be between 1 and ${stages.length + 1} (the pipeline has ${stages.length} stages)`,
        );
      const { position: _position, ...fields } = input;
      const created = await super.create(tx, { ...fields, pipelineId, position: stages.length + 1 });
      if (at <= stages.length) {
        const order = stages.map((s) => s.id);
        order.splice(at - 1, 0, created.id as string);
        await this.renumber(em, tx, pipelineId, [...stages.map((s) => s.id), created.id as string], order);
        return (await this.records.get(tx, STAGE, created.id as string)) as RecordData;
      }
      return created;
    });
  }

  /** Changes a stage's name, probability, category or description. */
  async updateInPipeline(
    ctx: RequestContext,
    pipelineId: string,
    stageId: string,
    patch: UpdateStageInput,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const stage = await this.stageOf(em, tx, pipelineId, stageId);
      if (patch.category !== undefined && patch.category !== stage.category) {
        // Opportunities in a stage carry that category's rules (closedAt, lossReason, forecast).
        const held = await this.mover.countInStage(em, stageId);
        if (held > 0)
          throw conflict(
            'category',
            'stage_in_use',
            `the stage holds ${held} opportunit${held === 1 ? 'y' : 'ies'}; move them to another stage before changing its category`,
          );
      }
      return super.update(tx, stageId, patch);
    });
  }

  /**
   * Deletes a stage. Opportunities in it must go somewhere: without `moveTo` that is a 409 naming
   * how many; with it (a live stage of the same pipeline and category) they move there, each
   * move recorded in their stage history and audited.
   */
  async removeFromPipeline(
    ctx: RequestContext,
    pipelineId: string,
    stageId: string,
    moveTo: string | undefined,
  ): Promise<void> {
    this.require(ctx, 'delete');
    await this.fieldPolicy.resolve(ctx);
    await this.db.inTransaction(ctx, async (tx, em) => {
      await this.lockPipeline(em, tx, pipelineId);
      const stage = await this.stageOf(em, tx, pipelineId, stageId);
      const held = await this.mover.countInStage(em, stageId);
      if (moveTo === undefined && held > 0)
        throw new DomainError(
          'CONFLICT',
          `The stage holds ${held} opportunit${held === 1 ? 'y' : 'ies'}; delete it with ?moveTo=<stage id> to move them to another stage of the pipeline.`,
          [
            {
              field: 'moveTo',
              code: 'required',
              message: `moveTo is required: ${held} opportunities are in the stage`,
            },
          ],
        );
      if (moveTo !== undefined) {
        const target = await this.moveTarget(em, stage, moveTo);
        await this.mover.moveAll(em, tx, stage, target);
      }
      const before = (await pipelineStages(em, pipelineId)).map((s) => s.id);
      await super.remove(tx, stageId);
      const after = before.filter((id) => id !== stageId);
      await this.renumber(em, tx, pipelineId, before, after);
    });
  }

  /** Puts the pipeline's stages in the given order; the list must name each live stage once. */
  async reorder(ctx: RequestContext, pipelineId: string, stageIds: string[]): Promise<Page> {
    this.require(ctx, 'update');
    await this.fieldPolicy.resolve(ctx);
    await this.db.inTransaction(ctx, async (tx, em) => {
      await this.lockPipeline(em, tx, pipelineId);
      const current = (await pipelineStages(em, pipelineId)).map((s) => s.id);
      const wanted = stageIds.map((id) => id.toLowerCase());
      const missing = current.filter((id) => !wanted.includes(id));
      const unknown = wanted.filter((id) => !current.includes(id));
      if (new Set(wanted).size !== wanted.length || missing.length > 0 || unknown.length > 0)
        throw invalid(
          'stageIds',
          'not_a_permutation',
          `stageIds must list every stage of the pipeline exactly once${missing.length ? `; missing ${missing.join(', ')}` : ''}${unknown.length ? `; not stages of this pipeline: ${unknown.join(', ')}` : ''}`,
        );
      await this.renumber(em, tx, pipelineId, current, wanted);
    });
    return this.listForPipeline(ctx, pipelineId);
  }

  /** Locks the live pipeline (404 if not visible, 403 if not writable by the caller). */
  private async lockPipeline(em: EntityManager, ctx: RequestContext, pipelineId: string): Promise<void> {
    await this.sales.lockWritable(em, ctx, PIPELINE, pipelineId, ['id']);
  }

  /** The live stage, which must belong to the pipeline (404 otherwise, and when invisible). */
  private async stageOf(
    em: EntityManager,
    ctx: RequestContext,
    pipelineId: string,
    stageId: string,
  ): Promise<StageRow> {
    await this.records.get(ctx, PIPELINE, pipelineId, { fields: 'id' });
    await this.sales.lock(em, ctx, STAGE, stageId, ['id']);
    const stage = await findStage(em, stageId);
    if (!stage || stage.pipelineId !== pipelineId)
      throw new DomainError('NOT_FOUND', `No stage ${stageId} in pipeline ${pipelineId}.`);
    return stage;
  }

  private async moveTarget(em: EntityManager, from: StageRow, moveTo: string): Promise<StageRow> {
    const target = /^[0-9a-f-]{36}$/i.test(moveTo) ? await findStage(em, moveTo) : undefined;
    if (!target || target.pipelineId !== from.pipelineId)
      throw invalid('moveTo', 'not_found', 'moveTo must be a stage of the same pipeline');
    if (target.id === from.id) throw invalid('moveTo', 'same_stage', 'moveTo must be another stage');
    if (target.category !== from.category)
      throw invalid(
        'moveTo',
        'category_mismatch',
        `moveTo must be a ${from.category} stage like the one deleted (it is ${target.category})`,
      );
    return target;
  }

  /** Positions 1..n in `after` order, one statement, one audit event on the pipeline. */
  private async renumber(
    em: EntityManager,
    ctx: RequestContext,
    pipelineId: string,
    before: string[],
    after: string[],
  ): Promise<void> {
    if (before.join() === after.join()) return;
    await em.query(
      `UPDATE pipeline_stages s SET position = o.position, version = s.version + 1, updated_at = now()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, position)
        WHERE s.id = o.id AND s.position <> o.position`,
      [after],
    );
    await this.audit.record(em, ctx, {
      action: 'reorder_stages',
      object: PIPELINE.name,
      recordId: pipelineId,
      changes: { stageOrder: { before, after } },
    });
  }
}
