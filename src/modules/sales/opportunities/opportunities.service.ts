import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { PIPELINE } from '../pipelines/pipeline.object.js';
import {
  conflict,
  findStage,
  invalid,
  pipelineStages,
  SalesRecords,
  StageRow,
  utcDate,
} from '../sales-sql.js';
import { OPPORTUNITY } from './opportunity.object.js';
import { StageHistoryService } from './stage-history.service.js';
import { applyStageRules, CurrentState } from './stage-rules.js';

type Values = Record<string, unknown>;

/**
 * Opportunities: the generic record operations plus the sales rules, each write in one
 * transaction with its stage-history entry (stage-rules.ts has the rules themselves):
 * - the stage must belong to the pipeline (400 naming stageId); without one, the pipeline's first;
 * - entering a stage brings its default probability and forecast category, sets or clears
 *   closedAt, and a lost stage needs a lossReason;
 * - with line items, amount and currency follow the items: writing them is a 409.
 */
@Injectable()
export class OpportunitiesService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly sales: SalesRecords,
    private readonly history: StageHistoryService,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    super(records, OPPORTUNITY);
  }

  override async create(ctx: RequestContext, input: Values): Promise<RecordData> {
    this.require(ctx, 'create');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const stage = await this.resolveStage(
        em,
        tx,
        input.pipelineId as string,
        input.stageId as string,
        true,
      );
      const values = applyStageRules({ ...input, stageId: stage.id }, stage, null, true);
      requireCurrency(values, null);
      const created = await super.create(tx, withUtcDates(values));
      await this.history.recordChange(em, tx, created.id as string, null, stage.id);
      return created;
    });
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: Values,
    expectedVersion?: number,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const current = await this.sales.lock(em, tx, OPPORTUNITY, id, [
        'stageId',
        'pipelineId',
        'lossReason',
        'closedAt',
        'forecastCategory',
        'currency',
        'amount',
      ]);
      const changesMoney =
        patch.amount !== undefined || (patch.currency !== undefined && patch.currency !== current.currency);
      if (changesMoney && (await this.lineItemCount(em, id)) > 0)
        throw conflict(
          patch.amount !== undefined ? 'amount' : 'currency',
          'computed_from_line_items',
          'the opportunity has line items: its amount is their sum and its currency theirs; change the line items instead',
        );
      const currentStage = await findStage(em, current.stageId as string, true);
      let stage = currentStage!;
      if (patch.pipelineId !== undefined || patch.stageId !== undefined) {
        const pipelineId = (patch.pipelineId ?? current.pipelineId) as string;
        const stageId = (patch.stageId ??
          (pipelineId === current.pipelineId ? current.stageId : undefined)) as string | undefined;
        if (stageId === undefined)
          throw invalid('stageId', 'required', 'stageId is required when the pipeline changes');
        stage = await this.resolveStage(em, tx, pipelineId, stageId, pipelineId !== current.pipelineId);
      }
      const state: CurrentState = {
        stageId: current.stageId as string,
        category: currentStage!.category,
        lossReason: current.lossReason as string | null,
        closedAt: current.closedAt,
        forecastCategory: current.forecastCategory as string,
      };
      const entered = stage.id !== current.stageId;
      const values = applyStageRules(patch, stage, state, entered);
      requireCurrency(values, current);
      const updated = await super.update(tx, id, withUtcDates(values), expectedVersion);
      if (entered) await this.history.recordChange(em, tx, id, current.stageId as string, stage.id);
      return updated;
    });
  }

  /** Line items of a live opportunity (they decide its amount when there are any). */
  async lineItemCount(em: EntityManager, opportunityId: string): Promise<number> {
    const rows: { n: number }[] = await em.query(
      `SELECT count(*)::int AS n FROM opportunity_line_items WHERE opportunity_id = $1::uuid`,
      [opportunityId],
    );
    return rows[0].n;
  }

  /**
   * The stage a write puts the opportunity in: `stageId` (which must be a live stage of the
   * pipeline) or, on create without one, the pipeline's first stage. The pipeline must be visible,
   * and active when the opportunity is new to it.
   */
  private async resolveStage(
    em: EntityManager,
    ctx: RequestContext,
    pipelineId: string,
    stageId: string | undefined,
    joining: boolean,
  ): Promise<StageRow> {
    const pipeline = await this.records.getMany(ctx, PIPELINE, [pipelineId]);
    if (!pipeline.has(pipelineId))
      throw invalid('pipelineId', 'not_found', `pipelineId refers to no pipeline (${pipelineId})`);
    if (joining && pipeline.get(pipelineId)!.active === false)
      throw invalid('pipelineId', 'inactive', 'the pipeline is inactive: no new opportunities may enter it');
    if (stageId === undefined) {
      const [first] = await pipelineStages(em, pipelineId);
      if (!first) throw invalid('stageId', 'required', 'the pipeline has no stages yet');
      return first;
    }
    const stage = await findStage(em, stageId);
    if (!stage) throw invalid('stageId', 'not_found', `stageId refers to no stage (${stageId})`);
    if (stage.pipelineId !== pipelineId)
      throw invalid('stageId', 'not_in_pipeline', `stageId must be a stage of the pipeline ${pipelineId}`);
    return stage;
  }
}

/** Money is a decimal plus its currency (DESIGN §5): the amount after the write needs one. */
function requireCurrency(values: Values, current: RecordData | null): void {
  const amount = values.amount !== undefined ? values.amount : current?.amount;
  const currency = values.currency !== undefined ? values.currency : current?.currency;
  if (amount != null && currency == null)
    throw invalid('currency', 'required', 'currency is required while amount is set');
}

function withUtcDates(values: Values): Values {
  if (typeof values.closeDate === 'string') return { ...values, closeDate: utcDate(values.closeDate) };
  return values;
}
