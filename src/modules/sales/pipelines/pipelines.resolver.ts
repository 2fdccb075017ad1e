import { Args, Context, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { graphqlUuid, RecordResolver } from '../../../platform/records/record.resolver.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { loadById, loadChildren } from '../../customers/customers.loaders.js';
import {
  CreatePipelineInput,
  CreateStageInput,
  MAX_STAGES,
  PipelineDto,
  StageDto,
  StageOrderInput,
  UpdatePipelineInput,
  UpdateStageInput,
} from './pipeline.dto.js';
import { PipelinesService } from './pipelines.service.js';
import { StagesService } from './stages.service.js';

@Resolver(() => PipelineDto)
export class PipelinesResolver extends RecordResolver({
  typeName: 'Pipeline',
  singular: 'pipeline',
  plural: 'pipelines',
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

  @ResolveField('stages', () => [StageDto], {
    nullable: true,
    description: 'The live stages, in order.',
  })
  async stageList(@Parent() pipeline: PipelineDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    const page = await loadChildren(req, ctx, this.service, 'stages', pipeline.id, {
      sort: 'position',
      first: MAX_STAGES,
    });
    return page.nodes;
  }

  @RequirePermission('stages:create')
  @Mutation(() => StageDto, {
    description:
      'Add a stage to a pipeline, at the end or at input.position. REST: POST /v1/pipelines/{id}/stages.',
  })
  createStage(
    @Ctx() ctx: RequestContext,
    @Args('pipelineId', { type: () => ID }, graphqlUuid) pipelineId: string,
    @Args('input', { type: () => CreateStageInput }, createValidationPipe(CreateStageInput))
    input: CreateStageInput,
  ): Promise<RecordData> {
    return this.stages.addToPipeline(ctx, pipelineId, input);
  }

  @RequirePermission('stages:update')
  @Mutation(() => StageDto, {
    description: 'Merge-update a stage (CONFLICT for a category change while in use).',
  })
  updateStage(
    @Ctx() ctx: RequestContext,
    @Args('pipelineId', { type: () => ID }, graphqlUuid) pipelineId: string,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => UpdateStageInput }, createValidationPipe(UpdateStageInput))
    input: UpdateStageInput,
  ): Promise<RecordData> {
    return this.stages.updateInPipeline(ctx, pipelineId, id, input);
  }

  @RequirePermission('stages:delete')
  @Mutation(() => Boolean, {
    description:
      'Delete a stage; moveTo (a stage of the same pipeline and category) takes its opportunities, and is required when it has any (CONFLICT).',
  })
  async deleteStage(
    @Ctx() ctx: RequestContext,
    @Args('pipelineId', { type: () => ID }, graphqlUuid) pipelineId: string,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('moveTo', { type: () => ID, nullable: true }) moveTo?: string | null,
  ): Promise<boolean> {
    await this.stages.removeFromPipeline(ctx, pipelineId, id, moveTo ?? undefined);
    return true;
  }

  @RequirePermission('stages:update')
  @Mutation(() => [StageDto], {
    description:
      'Set the order of a pipeline’s stages (every live stage exactly once); returns them in order.',
  })
  async reorderStages(
    @Ctx() ctx: RequestContext,
    @Args('pipelineId', { type: () => ID }, graphqlUuid) pipelineId: string,
    @Args('input', { type: () => StageOrderInput }, createValidationPipe(StageOrderInput))
    input: StageOrderInput,
  ): Promise<RecordData[]> {
    return (await this.stages.reorder(ctx, pipelineId, input.stageIds)).data;
  }
}

@Resolver(() => StageDto)
export class StagesResolver {
  constructor(private readonly pipelines: PipelinesService) {}

  @ResolveField('pipeline', () => PipelineDto, { nullable: true, description: 'The pipeline.' })
  pipeline(@Parent() stage: StageDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.pipelines, stage.pipelineId);
  }
}
