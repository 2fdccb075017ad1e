import { Body, Controller, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { RecordController, RecordSubList } from '../../../platform/records/record.controller.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { idOf, Route } from '../sales-routes.js';
import {
  CreatePipelineInput,
  CreateStageInput,
  PipelineDto,
  StageDto,
  StageOrderInput,
  UpdatePipelineInput,
  UpdateStageInput,
} from './pipeline.dto.js';
import { PipelinesService } from './pipelines.service.js';
import { StagesService } from './stages.service.js';

export class StageListDto {
  @ApiProperty({ type: [StageDto], description: 'The live stages, in order.' })
  data: StageDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Always null: a pipeline’s stages come in one page.',
  })
  nextCursor: string | null;
}

export class DeleteStageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'A stage of the same pipeline and category to move the deleted stage’s opportunities to; required when it holds any.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'moveTo must be a stage id (UUID)' })
  moveTo?: string;
}

const pipelineId = idOf('pipeline');
const stageId = idOf('stage');
const PARAMS = { id: 'The pipeline id.', stageId: 'The stage id.' };

@ApiTags('pipelines')
@ApiBearerAuth('bearer')
@Controller('v1/pipelines')
export class PipelinesController extends RecordController({
  typeName: 'Pipeline',
  output: PipelineDto,
  create: CreatePipelineInput,
  update: UpdatePipelineInput,
}) {
  constructor(
    protected readonly service: PipelinesService,
    private readonly stages: StagesService,
  ) {
    super();
  }

  @RecordSubList('stages', {
    object: 'pipeline',
    summary: 'List a pipeline’s stages',
    description: 'The live stages of the pipeline, in order (position 1 first), in one page.',
    page: StageListDto,
    permissions: ['pipelines:read', 'stages:read'],
  })
  async listStages(@Ctx() ctx: RequestContext, @Param('id', pipelineId) id: string) {
    return this.toBody(await this.stages.listForPipeline(ctx, id));
  }

  @Route('POST', ':id/stages', {
    summary: 'Add a stage',
    description:
      'Adds a stage at the end of the pipeline, or at `position` (the stages from there on move down one). Answers 201 with the stage.',
    permissions: ['stages:create'],
    params: { id: PARAMS.id },
    body: CreateStageInput,
    status: 201,
    response: StageDto,
    problems: [400, 401, 403, 404, 409],
  })
  addStage(
    @Ctx() ctx: RequestContext,
    @Param('id', pipelineId) id: string,
    @Body(createValidationPipe(CreateStageInput)) input: CreateStageInput,
  ): Promise<RecordData> {
    return this.stages.addToPipeline(ctx, id, input);
  }

  @Route('PATCH', ':id/stages/:stageId', {
    summary: 'Update a stage',
    description:
      'Merge patch of name, probability, category, description. The category cannot change while opportunities are in the stage (409); reorder with PUT …/stage-order.',
    permissions: ['stages:update'],
    params: PARAMS,
    body: UpdateStageInput,
    response: StageDto,
    problems: [400, 401, 403, 404, 409],
  })
  updateStage(
    @Ctx() ctx: RequestContext,
    @Param('id', pipelineId) id: string,
    @Param('stageId', stageId) stage: string,
    @Body(createValidationPipe(UpdateStageInput)) patch: UpdateStageInput,
  ): Promise<RecordData> {
    return this.stages.updateInPipeline(ctx, id, stage, patch);
  }

  @Route('DELETE', ':id/stages/:stageId', {
    summary: 'Delete a stage',
    description:
      'Soft-deletes the stage (its history stays) and closes the gap in the order. If opportunities are in it, `moveTo` must name a stage of the same pipeline and category to move them to (each move is recorded in their stage history); without it the answer is 409 with the number of opportunities.',
    permissions: ['stages:delete'],
    params: PARAMS,
    problems: [400, 401, 403, 404, 409],
  })
  async removeStage(
    @Ctx() ctx: RequestContext,
    @Param('id', pipelineId) id: string,
    @Param('stageId', stageId) stage: string,
    @Query() query: DeleteStageQueryDto,
  ): Promise<void> {
    await this.stages.removeFromPipeline(ctx, id, stage, query.moveTo);
  }

  @Route('PUT', ':id/stage-order', {
    summary: 'Reorder the stages',
    description:
      'Sets the order of the pipeline’s stages: `stageIds` lists every live stage exactly once (400 otherwise). Answers the stages in their new order.',
    permissions: ['stages:update'],
    params: { id: PARAMS.id },
    body: StageOrderInput,
    response: StageListDto,
  })
  async reorderStages(
    @Ctx() ctx: RequestContext,
    @Param('id', pipelineId) id: string,
    @Body(createValidationPipe(StageOrderInput)) input: StageOrderInput,
  ) {
    return this.toBody(await this.stages.reorder(ctx, id, input.stageIds));
  }
}
