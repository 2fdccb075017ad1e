import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_LIMIT } from '../../../platform/query/index.js';
import { ApiProperty } from '@nestjs/swagger';
import { OutputProp } from '../../../platform/records/field-decorators.js';

@ObjectType('StageChange', { description: 'One stage an opportunity entered.' })
export class StageChangeDto {
  @OutputProp({ kind: 'uuid', description: 'Entry id.' }) id: string;
  @OutputProp({ kind: 'uuid', description: 'The opportunity.' }) opportunityId: string;
  @OutputProp({
    kind: 'uuid',
    nullable: true,
    description: 'The stage it left; null for the first entry (the stage it was created in).',
  })
  fromStageId: string | null;
  @OutputProp({ kind: 'string', nullable: true, description: 'Name of the stage it left.' })
  fromStageName: string | null;
  @OutputProp({ kind: 'uuid', description: 'The stage it entered.' }) toStageId: string;
  @OutputProp({ kind: 'string', description: 'Name of the stage it entered.' }) toStageName: string;
  @OutputProp({ kind: 'datetime', description: 'When it entered the stage.' }) changedAt: Date;
  @OutputProp({
    kind: 'uuid',
    nullable: true,
    description:
      'The user who moved it (null for an OAuth client or the system; the audit trail names every actor).',
  })
  changedBy: string | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Seconds it had spent in the stage it left (null for the first entry).',
  })
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'Seconds it had spent in the stage it left, to the millisecond (null for the first entry).',
    example: 86400.25,
  })
  secondsInFromStage: number | null;
}

export class StageHistoryPageDto {
  @ApiProperty({ type: [StageChangeDto], description: 'Stage changes, newest first.' })
  data: StageChangeDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last page.',
  })
  nextCursor: string | null;
}

@ArgsType()
export class StageHistoryArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1–${MAX_LIMIT} (default 50).` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  first?: number;

  @Field({ nullable: true, description: 'Cursor from pageInfo.endCursor.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string;
}
