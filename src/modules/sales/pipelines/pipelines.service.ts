import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { conflict } from '../sales-sql.js';
import type { CreateStageInput } from './pipeline.dto.js';
import { PIPELINE } from './pipeline.object.js';
import { StagesService } from './stages.service.js';

/**
 * Pipelines: the generic record operations; a create may bring the stages along (created in the
 * same transaction, in order), and a pipeline that still holds live opportunities cannot be
 * deleted (409).
 */
@Injectable()
export class PipelinesService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly stages: StagesService,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    super(records, PIPELINE);
  }

  override async create(ctx: RequestContext, input: { stages?: CreateStageInput[] }): Promise<RecordData> {
    this.require(ctx, 'create');
    const { stages, ...fields } = input;
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx) => {
      const pipeline = await super.create(tx, fields);
      for (const stage of stages ?? []) await this.stages.addToPipeline(tx, pipeline.id as string, stage);
      return pipeline;
    });
  }

  override async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    this.require(ctx, 'delete');
    await this.db.inTransaction(ctx, async (tx, em) => {
      const rows: { n: number }[] = await em.query(
        `SELECT count(*)::int AS n FROM opportunities WHERE pipeline_id = $1::uuid AND deleted_at IS NULL`,
        [id],
      );
      if (rows[0].n > 0) {
        await this.records.get(tx, PIPELINE, id, { fields: 'id' });
        throw conflict(
          'id',
          'pipeline_in_use',
          `the pipeline holds ${rows[0].n} opportunities; move or delete them first`,
        );
      }
      await super.remove(tx, id, expectedVersion);
    });
  }
}
