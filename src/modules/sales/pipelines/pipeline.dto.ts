import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { STAGE_CATEGORIES } from './pipeline.object.js';

export const StageCategoryEnum = Object.fromEntries(STAGE_CATEGORIES.map((s) => [s, s]));
registerEnumType(StageCategoryEnum, {
  name: 'StageCategory',
  description: 'open, won or lost: won and lost stages close an opportunity.',
});
const CATEGORY = { kind: 'enum' as const, enumValues: STAGE_CATEGORIES, graphqlEnum: StageCategoryEnum };

/** Most stages a pipeline may have. */
export const MAX_STAGES = 50;

@ObjectType('Stage', { description: 'A step of a pipeline, in order.' })
export class StageDto {
  @RecordProp({ kind: 'uuid', description: 'Stage id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'uuid', description: 'The pipeline it belongs to.' }) pipelineId: string;
  @RecordProp({ kind: 'string', description: 'Stage name.', example: 'Proposal' }) name: string;
  @RecordProp({ kind: 'int', description: 'Place in the pipeline, 1 for the first stage.' }) position: number;
  @RecordProp({
    kind: 'int',
    description: 'Default win probability (0–100) of opportunities entering the stage.',
    example: 40,
  })
  probability: number;
  @RecordProp({ ...CATEGORY, description: 'open, won or lost.' }) category: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'What the stage means (exit criteria).' })
  description: string | null;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

@InputType('UpdateStageInput')
export class UpdateStageInput {
  @InputProp({ kind: 'string', maxLength: 200, description: 'Stage name.', example: 'Proposal' })
  name?: string;
  @InputProp({ kind: 'int', min: 0, max: 100, description: 'Default win probability, 0–100.' })
  probability?: number;
  @InputProp({
    ...CATEGORY,
    description: 'open, won or lost; cannot change while opportunities are in the stage (409).',
  })
  category?: string;
  @InputProp({ kind: 'text', maxLength: 2000, description: 'What the stage means (exit criteria).' })
  description?: string | null;
}

@InputType('CreateStageInput')
export class CreateStageInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 200,
    description: 'Stage name.',
    example: 'Proposal',
  })
  name: string;
  @InputProp({
    kind: 'int',
    required: true,
    min: 0,
    max: 100,
    description: 'Default win probability, 0–100.',
    example: 40,
  })
  probability: number;
  @InputProp({ ...CATEGORY, required: true, description: 'open, won or lost.' }) category: string;
  @InputProp({ kind: 'text', maxLength: 2000, description: 'What the stage means (exit criteria).' })
  description?: string | null;
  @InputProp({
    kind: 'int',
    min: 1,
    max: MAX_STAGES,
    description:
      'Where to insert it (1 = first); the stages from there on move down one. Default: after the last stage.',
  })
  position?: number;
}

@InputType('StageOrderInput')
export class StageOrderInput {
  @Field(() => [String], { description: 'Every live stage id of the pipeline, in the new order.' })
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Every live stage id of the pipeline, in the new order (a missing or extra id is a 400).',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STAGES)
  @IsUUID('all', { each: true })
  stageIds: string[];
}

@ObjectType('Pipeline', {
  description: 'A sales process: an ordered list of stages opportunities move through.',
})
export class PipelineDto {
  @RecordProp({ kind: 'uuid', description: 'Pipeline id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Pipeline name.', example: 'New business' }) name: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'What the pipeline is for.' }) description:
    string | null;
  @RecordProp({ kind: 'boolean', description: 'Whether new opportunities may be created in it.' })
  active: boolean;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

/** The pipeline's own fields (create and update share them; stages come only with create). */
@InputType({ isAbstract: true })
export class PipelineFieldsInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 200,
    description: 'Pipeline name.',
    example: 'New business',
  })
  name: string;
  @InputProp({ kind: 'text', maxLength: 2000, description: 'What the pipeline is for.' })
  description?: string | null;
  @InputProp({
    kind: 'boolean',
    description: 'Whether new opportunities may be created in it (default true).',
  })
  active?: boolean;
}

@InputType('CreatePipelineInput')
export class CreatePipelineInput extends PipelineFieldsInput {
  @Field(() => [CreateStageInput], { nullable: true, description: 'Its stages, in order (optional).' })
  @ApiPropertyOptional({ type: [CreateStageInput], description: 'Its stages, in order (optional).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_STAGES)
  @ValidateNested({ each: true })
  @Type(() => CreateStageInput)
  stages?: CreateStageInput[];
}

@InputType('UpdatePipelineInput')
export class UpdatePipelineInput extends PartialInput(PipelineFieldsInput) {}
