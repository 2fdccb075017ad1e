import {
  ArgsType,
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { PERIOD_MESSAGE, PERIOD_RE } from './report-window.js';
import { FORECAST_GROUPS, type ForecastGroupBy } from './reports-sql.js';

export const ForecastGroupByEnum = Object.fromEntries(FORECAST_GROUPS.map((g) => [g, g]));
registerEnumType(ForecastGroupByEnum, {
  name: 'ForecastGroupBy',
  description: 'owner (the opportunity’s owner), team (each team of the owner) or pipeline.',
});

const CURRENCY_RE = /^[A-Z]{3}$/;
const ISO = { strict: true } as const;
const isoMessage = { message: '$property must be an ISO 8601 date (2026-10-01) or date-time' };
const WINDOW_NOTE =
  'A date alone is midnight UTC; a date-time without an offset is UTC. Default window: the 90 days before `to`, which defaults to now.';

// ------------------------------------------------------------------------------------ inputs

/** `GET /v1/forecasts` query string and the GraphQL `forecast` arguments. */
@ArgsType()
export class ForecastQueryDto {
  @Field({ description: 'A year (2026), a quarter (2026-Q4) or a month (2026-11), UTC.' })
  @ApiProperty({
    description: 'A year (2026), a quarter (2026-Q4) or a month (2026-11), UTC.',
    example: '2026-Q4',
    pattern: PERIOD_RE.source,
  })
  @IsString({ message: PERIOD_MESSAGE })
  @Matches(PERIOD_RE, { message: PERIOD_MESSAGE })
  period: string;

  @Field(() => ForecastGroupByEnum, { nullable: true, description: 'How to group (default owner).' })
  @ApiPropertyOptional({ enum: [...FORECAST_GROUPS], description: 'How to group (default owner).' })
  @IsOptional()
  @IsIn(FORECAST_GROUPS, { message: `groupBy must be one of ${FORECAST_GROUPS.join(', ')}` })
  groupBy?: ForecastGroupBy;

  @Field({ nullable: true, description: 'Only opportunities in this currency (ISO 4217).' })
  @ApiPropertyOptional({ description: 'Only opportunities in this currency (ISO 4217).', example: 'EUR' })
  @IsOptional()
  @Matches(CURRENCY_RE, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency?: string;
}

/** `from` and `to` of the pipeline summary and the lead conversion report (REST and GraphQL). */
@ArgsType()
export class ReportWindowQueryDto {
  @Field({ nullable: true, description: `Start of the window, inclusive. ${WINDOW_NOTE}` })
  @ApiPropertyOptional({
    description: `Start of the window, inclusive. ${WINDOW_NOTE}`,
    example: '2026-07-01',
  })
  @IsOptional()
  @IsISO8601(ISO, isoMessage)
  from?: string;

  @Field({ nullable: true, description: 'End of the window, exclusive (default now).' })
  @ApiPropertyOptional({ description: 'End of the window, exclusive (default now).', example: '2026-10-01' })
  @IsOptional()
  @IsISO8601(ISO, isoMessage)
  to?: string;
}

// ----------------------------------------------------------------------------------- outputs

const decimal = (description: string) => ({
  type: String,
  format: 'decimal',
  description,
  example: '12500.00',
});

@ObjectType({ isAbstract: true })
export abstract class ForecastFiguresDto {
  @Field({ description: 'ISO 4217 code: every figure of the row is in this currency.' })
  @ApiProperty({ description: 'ISO 4217 code: every figure of the row is in this currency.', example: 'EUR' })
  currency: string;

  @Field(() => Int, {
    description: 'Open opportunities closing in the period (forecast category not omitted).',
  })
  @ApiProperty({
    type: 'integer',
    description: 'Open opportunities closing in the period (forecast category not omitted).',
  })
  openCount: number;

  @Field({ description: 'Sum of their amounts (decimal string).' })
  @ApiProperty(decimal('Sum of their amounts.'))
  openAmount: string;

  @Field({ description: 'Sum of amount × probability / 100 over the same opportunities.' })
  @ApiProperty(decimal('Sum of amount × probability / 100 over the same opportunities.'))
  weightedAmount: string;

  @Field({ description: 'The open amount in forecast category commit.' })
  @ApiProperty(decimal('The open amount in forecast category commit.'))
  commitAmount: string;

  @Field({ description: 'The open amount in forecast category bestCase (commit not included).' })
  @ApiProperty(decimal('The open amount in forecast category bestCase (commit not included).'))
  bestCaseAmount: string;

  @Field(() => Int, { description: 'Opportunities in a won stage whose closedAt is in the period.' })
  @ApiProperty({
    type: 'integer',
    description: 'Opportunities in a won stage whose closedAt is in the period.',
  })
  closedWonCount: number;

  @Field({ description: 'Sum of their amounts.' })
  @ApiProperty(decimal('Sum of their amounts.'))
  closedWonAmount: string;
}

@ObjectType('ForecastGroup', { description: 'One group’s forecast in one currency.' })
export class ForecastGroupDto extends ForecastFiguresDto {
  @Field(() => ID, {
    nullable: true,
    description:
      'The owner, team or pipeline id; null for opportunities without an owner (team: owners in no team).',
  })
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'The owner, team or pipeline id; null for opportunities without an owner (team: owners in no team).',
  })
  id: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The owner’s display name, the team’s or the pipeline’s name (null when there is none or you may not see the pipeline).',
  })
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The owner’s display name, the team’s or the pipeline’s name (null when there is none or you may not see the pipeline).',
  })
  name: string | null;
}

@ObjectType('ForecastTotal', {
  description: 'The forecast of every opportunity you may see, in one currency.',
})
export class ForecastTotalDto extends ForecastFiguresDto {}

@ObjectType('Forecast', {
  description: 'Open, weighted, commit, best-case and closed-won amounts for a period.',
})
export class ForecastDto {
  @Field({ description: 'The period asked for.' })
  @ApiProperty({ description: 'The period asked for.', example: '2026-Q4' })
  period: string;

  @Field(() => GraphQLISODateTime, { description: 'Its start (inclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'Its start (inclusive).' })
  from: Date;

  @Field(() => GraphQLISODateTime, { description: 'Its end (exclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'Its end (exclusive).' })
  to: Date;

  @Field(() => ForecastGroupByEnum, { description: 'How the groups are formed.' })
  @ApiProperty({ enum: [...FORECAST_GROUPS], description: 'How the groups are formed.' })
  groupBy: ForecastGroupBy;

  @Field(() => [ForecastGroupDto], {
    description:
      'One row per group and currency, by name. With groupBy=team an opportunity counts in each team of its owner.',
  })
  @ApiProperty({
    type: [ForecastGroupDto],
    description:
      'One row per group and currency, by name. With groupBy=team an opportunity counts in each team of its owner.',
  })
  groups: ForecastGroupDto[];

  @Field(() => [ForecastTotalDto], { description: 'One row per currency; each opportunity counted once.' })
  @ApiProperty({
    type: [ForecastTotalDto],
    description: 'One row per currency; each opportunity counted once.',
  })
  totals: ForecastTotalDto[];
}

@ObjectType('CurrencyAmount', { description: 'An amount in one currency.' })
export class CurrencyAmountDto {
  @Field({ description: 'ISO 4217 code.' })
  @ApiProperty({ description: 'ISO 4217 code.', example: 'EUR' })
  currency: string;

  @Field({ description: 'Decimal string.' })
  @ApiProperty(decimal('Decimal string.'))
  amount: string;
}

@ObjectType('StageSummary', { description: 'One stage of a pipeline summary.' })
export class StageSummaryDto {
  @Field(() => ID, { description: 'The stage.' })
  @ApiProperty({ format: 'uuid', description: 'The stage.' })
  stageId: string;

  @Field({ description: 'Its name.' })
  @ApiProperty({ description: 'Its name.' })
  name: string;

  @Field(() => Int, { description: 'Its position (1 = first).' })
  @ApiProperty({ type: 'integer', description: 'Its position (1 = first).' })
  position: number;

  @Field({ description: 'open, won or lost.' })
  @ApiProperty({ enum: ['open', 'won', 'lost'], description: 'open, won or lost.' })
  category: string;

  @Field(() => Int, {
    description: 'Opportunities in the stage now (won and lost stages: those closed in the window).',
  })
  @ApiProperty({
    type: 'integer',
    description: 'Opportunities in the stage now (won and lost stages: those closed in the window).',
  })
  count: number;

  @Field(() => [CurrencyAmountDto], { description: 'Their amounts, per currency.' })
  @ApiProperty({ type: [CurrencyAmountDto], description: 'Their amounts, per currency.' })
  amounts: CurrencyAmountDto[];

  @Field(() => Int, { description: 'Opportunities that entered the stage in the window.' })
  @ApiProperty({ type: 'integer', description: 'Opportunities that entered the stage in the window.' })
  enteredCount: number;

  @Field(() => Int, {
    description: 'Of those, how many later entered an open or won stage further on (by position).',
  })
  @ApiProperty({
    type: 'integer',
    description: 'Of those, how many later entered an open or won stage further on (by position).',
  })
  advancedCount: number;

  @Field(() => Float, {
    nullable: true,
    description: 'advancedCount / enteredCount (null when none entered).',
  })
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'advancedCount / enteredCount, 0–1 to four places (null when none entered).',
  })
  conversionRate: number | null;

  @Field(() => Int, { description: 'Stays in the stage that ended in the window.' })
  @ApiProperty({ type: 'integer', description: 'Stays in the stage that ended in the window.' })
  exitedCount: number;

  @Field(() => Float, { nullable: true, description: 'Their average length in days (null when none).' })
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'Their average length in days, two places (null when none).',
  })
  averageDaysInStage: number | null;
}

@ObjectType('PipelineSummary', {
  description: 'Per-stage counts, amounts, conversion and durations; win rate and cycle.',
})
export class PipelineSummaryDto {
  @Field(() => ID, { description: 'The pipeline.' })
  @ApiProperty({ format: 'uuid', description: 'The pipeline.' })
  pipelineId: string;

  @Field({ description: 'Its name.' })
  @ApiProperty({ description: 'Its name.' })
  name: string;

  @Field(() => GraphQLISODateTime, { description: 'Start of the window (inclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the window (inclusive).' })
  from: Date;

  @Field(() => GraphQLISODateTime, { description: 'End of the window (exclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'End of the window (exclusive).' })
  to: Date;

  @Field(() => [StageSummaryDto], { description: 'The live stages, in order.' })
  @ApiProperty({ type: [StageSummaryDto], description: 'The live stages, in order.' })
  stages: StageSummaryDto[];

  @Field(() => Int, { description: 'Opportunities won (closedAt) in the window.' })
  @ApiProperty({ type: 'integer', description: 'Opportunities won (closedAt) in the window.' })
  wonCount: number;

  @Field(() => Int, { description: 'Opportunities lost (closedAt) in the window.' })
  @ApiProperty({ type: 'integer', description: 'Opportunities lost (closedAt) in the window.' })
  lostCount: number;

  @Field(() => Float, { nullable: true, description: 'won / (won + lost) (null when none closed).' })
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'won / (won + lost), 0–1 to four places (null when none closed).',
  })
  winRate: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Average days from createdAt to closedAt of those won.',
  })
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'Average days from createdAt to closedAt of those won, two places (null when none).',
  })
  averageSalesCycleDays: number | null;
}

@ObjectType({ isAbstract: true })
export abstract class LeadConversionFiguresDto {
  @Field(() => Int, { description: 'Leads created in the window.' })
  @ApiProperty({ type: 'integer', description: 'Leads created in the window.' })
  created: number;

  @Field(() => Int, { description: 'Of those, converted (by now).' })
  @ApiProperty({ type: 'integer', description: 'Of those, converted (by now).' })
  converted: number;

  @Field(() => Int, { description: 'Of those, converted with an opportunity.' })
  @ApiProperty({ type: 'integer', description: 'Of those, converted with an opportunity.' })
  withOpportunity: number;

  @Field(() => Float, { nullable: true, description: 'converted / created (null when none created).' })
  @ApiProperty({ type: 'number', nullable: true, description: 'converted / created, 0–1 to four places.' })
  conversionRate: number | null;

  @Field(() => Float, { nullable: true, description: 'withOpportunity / created: lead to opportunity.' })
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'withOpportunity / created (lead to opportunity), 0–1 to four places.',
  })
  opportunityRate: number | null;

  @Field(() => Float, { nullable: true, description: 'Average days from createdAt to convertedAt.' })
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'Average days from createdAt to convertedAt of the converted ones, two places.',
  })
  averageDaysToConvert: number | null;
}

@ObjectType('LeadConversionFigures', { description: 'Conversion of the leads created in the window.' })
export class LeadConversionOverallDto extends LeadConversionFiguresDto {}

@ObjectType('LeadConversionBySource', { description: 'Conversion of one source’s leads.' })
export class LeadConversionBySourceDto extends LeadConversionFiguresDto {
  @Field(() => String, { nullable: true, description: 'The leads’ source (null: none given).' })
  @ApiProperty({ type: String, nullable: true, description: 'The leads’ source (null: none given).' })
  source: string | null;
}

@ObjectType('LeadConversionByOwner', { description: 'Conversion of one owner’s leads.' })
export class LeadConversionByOwnerDto extends LeadConversionFiguresDto {
  @Field(() => ID, { nullable: true, description: 'The owner (null: leads in a queue, without owner).' })
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The owner (null: leads in a queue, without owner).',
  })
  ownerId: string | null;

  @Field(() => String, { nullable: true, description: 'The owner’s display name.' })
  @ApiProperty({ type: String, nullable: true, description: 'The owner’s display name.' })
  ownerName: string | null;
}

@ObjectType('LeadConversionReport', {
  description: 'Lead-to-opportunity conversion for the leads created in a window.',
})
export class LeadConversionReportDto {
  @Field(() => GraphQLISODateTime, { description: 'Start of the window (inclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the window (inclusive).' })
  from: Date;

  @Field(() => GraphQLISODateTime, { description: 'End of the window (exclusive).' })
  @ApiProperty({ type: String, format: 'date-time', description: 'End of the window (exclusive).' })
  to: Date;

  @Field(() => LeadConversionOverallDto, { description: 'All the leads you may see.' })
  @ApiProperty({ type: LeadConversionOverallDto, description: 'All the leads you may see.' })
  overall: LeadConversionOverallDto;

  @Field(() => [LeadConversionBySourceDto], { description: 'Per source, most leads first.' })
  @ApiProperty({ type: [LeadConversionBySourceDto], description: 'Per source, most leads first.' })
  bySource: LeadConversionBySourceDto[];

  @Field(() => [LeadConversionByOwnerDto], { description: 'Per owner, most leads first.' })
  @ApiProperty({ type: [LeadConversionByOwnerDto], description: 'Per owner, most leads first.' })
  byOwner: LeadConversionByOwnerDto[];
}
