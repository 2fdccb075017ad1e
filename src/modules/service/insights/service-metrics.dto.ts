import {
  ArgsType,
  Field,
  Float,
  GraphQLISODateTime,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ReportWindowQueryDto } from '../../sales/reports/reports.dto.js';
import { METRICS_GROUPS, type MetricsGroupBy } from './service-metrics-sql.js';

export const MetricsGroupByEnum = Object.fromEntries(METRICS_GROUPS.map((g) => [g, g]));
registerEnumType(MetricsGroupByEnum, {
  name: 'ServiceMetricsGroupBy',
  description: 'queue, assignee, priority or channel of the case.',
});

/** `GET /v1/service/metrics` query string and the GraphQL `serviceMetrics` arguments. */
@ArgsType()
export class ServiceMetricsQueryDto extends ReportWindowQueryDto {
  @Field(() => MetricsGroupByEnum, { nullable: true, description: 'How to group (default queue).' })
  @ApiPropertyOptional({ enum: [...METRICS_GROUPS], description: 'How to group (default queue).' })
  @IsOptional()
  @IsIn(METRICS_GROUPS, { message: `groupBy must be one of ${METRICS_GROUPS.join(', ')}` })
  groupBy?: MetricsGroupBy;
}

const int = (description: string) =>
  [Field(() => Int, { description }), ApiProperty({ type: 'integer', description })] as const;
const num = (description: string) =>
  [
    Field(() => Float, { nullable: true, description }),
    ApiProperty({ type: 'number', nullable: true, description }),
  ] as const;
function apply(...decorators: readonly PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

@ObjectType('CaseBacklogByStatus', { description: 'Open cases per status.' })
export class BacklogByStatusDto {
  @apply(...int('Status new.')) new: number;
  @apply(...int('Status open.')) open: number;
  @apply(...int('Status pending.')) pending: number;
  @apply(...int('Status onHold.')) onHold: number;
}

@ObjectType('CaseBacklogByPriority', { description: 'Open cases per priority.' })
export class BacklogByPriorityDto {
  @apply(...int('Priority low.')) low: number;
  @apply(...int('Priority normal.')) normal: number;
  @apply(...int('Priority high.')) high: number;
  @apply(...int('Priority urgent.')) urgent: number;
}

@ObjectType('CaseBacklog', {
  description: 'The cases open now (new, open, pending, onHold), whatever the window.',
})
export class BacklogDto {
  @apply(...int('Open cases.')) total: number;
  @Field(() => BacklogByStatusDto, { description: 'Per status.' })
  @ApiProperty({ type: BacklogByStatusDto, description: 'Per status.' })
  byStatus: BacklogByStatusDto;
  @Field(() => BacklogByPriorityDto, { description: 'Per priority.' })
  @ApiProperty({ type: BacklogByPriorityDto, description: 'Per priority.' })
  byPriority: BacklogByPriorityDto;
}

@ObjectType({ isAbstract: true })
export abstract class ServiceMetricsFiguresDto {
  @apply(...int('Cases created in the window.')) createdCount: number;
  @apply(...int('Cases resolved (solved) in the window: the cohort of the resolution and CSAT figures.'))
  resolvedCount: number;
  @apply(...num('Average calendar minutes from creation to resolution, over the resolved cases.'))
  avgResolutionMinutes: number | null;
  @apply(...num('Median of the same.')) medianResolutionMinutes: number | null;
  @apply(
    ...num('Average business minutes the resolution clock ran (pauses excluded), over the resolved cases.'),
  )
  avgBusinessResolutionMinutes: number | null;
  @apply(...num('Median of the same.')) medianBusinessResolutionMinutes: number | null;
  @apply(
    ...int(
      'Cases created in the window with a first-response target whose outcome is known (answered, or breached).',
    ),
  )
  firstResponseMeasured: number;
  @apply(...int('Of those, answered within the target (not breached).')) firstResponseMet: number;
  @apply(...num('firstResponseMet / firstResponseMeasured, in percent (null when none measured).'))
  firstResponseAttainment: number | null;
  @apply(...int('Resolved cases measured against a resolution target (a due time recorded, or breached).'))
  resolutionMeasured: number;
  @apply(...int('Of those, resolved within the target (not breached).')) resolutionMet: number;
  @apply(...num('resolutionMet / resolutionMeasured, in percent (null when none measured).'))
  resolutionAttainment: number | null;
  @apply(...int('Resolved cases with a CSAT score.')) csatResponses: number;
  @apply(...num('Average CSAT score (1–5) of those.')) csatAverage: number | null;
  @apply(...num('csatResponses / resolvedCount, in percent (null when nothing was resolved).'))
  csatResponseRate: number | null;
  @Field(() => BacklogDto, { description: 'The cases open now.' })
  @ApiProperty({ type: BacklogDto, description: 'The cases open now.' })
  backlog: BacklogDto;
}

@ObjectType('ServiceMetricsGroup', { description: 'One group’s service figures.' })
export class ServiceMetricsGroupDto extends ServiceMetricsFiguresDto {
  @Field(() => String, {
    nullable: true,
    description: 'The queue or assignee id, the priority or the channel; null for cases without one.',
  })
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The queue or assignee id, the priority or the channel; null for cases without one.',
  })
  key: string | null;
}

@ObjectType('ServiceMetricsTotals', { description: 'The service figures over every visible case.' })
export class ServiceMetricsTotalsDto extends ServiceMetricsFiguresDto {}

@ObjectType('ServiceMetrics', {
  description: 'Service metrics over a window (docs/service.md#service-metrics).',
})
export class ServiceMetricsDto {
  @Field(() => GraphQLISODateTime, { description: 'Start of the window (inclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the window (inclusive).' })
  from: Date;
  @Field(() => GraphQLISODateTime, { description: 'End of the window (exclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'End of the window (exclusive).' })
  to: Date;
  @Field(() => MetricsGroupByEnum, { description: 'How the groups are keyed.' })
  @ApiProperty({ enum: [...METRICS_GROUPS], description: 'How the groups are keyed.' })
  groupBy: string;
  @Field(() => ServiceMetricsTotalsDto, { description: 'Every visible case.' })
  @ApiProperty({ type: ServiceMetricsTotalsDto, description: 'Every visible case.' })
  overall: ServiceMetricsTotalsDto;
  @Field(() => [ServiceMetricsGroupDto], { description: 'Per group, by key (null last).' })
  @ApiProperty({ type: [ServiceMetricsGroupDto], description: 'Per group, by key (null last).' })
  groups: ServiceMetricsGroupDto[];
}
