import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { MAX_HOLIDAYS, MAX_INTERVALS_PER_DAY, WEEKDAYS } from './business-time.js';

const TIME_DOC = "Local wall time 'HH:MM'";

@ObjectType('BusinessInterval', { description: 'An open interval of a weekday, in local wall time.' })
export class BusinessIntervalDto {
  @Field({ description: `${TIME_DOC}: when it opens.` })
  @ApiProperty({ description: `${TIME_DOC}: when it opens.`, example: '09:00' })
  start: string;
  @Field({ description: `${TIME_DOC} or '24:00': when it closes; at or before start = the next day.` })
  @ApiProperty({
    description: `${TIME_DOC} or '24:00': when it closes; at or before start = overnight into the next day.`,
    example: '17:00',
  })
  end: string;
}

@InputType('BusinessIntervalInput')
export class BusinessIntervalInput {
  @Field({ description: `${TIME_DOC}: when it opens (00:00–23:59).` })
  @ApiProperty({ description: `${TIME_DOC}: when it opens (00:00–23:59).`, example: '09:00' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(5)
  start: string;
  @Field({ description: `${TIME_DOC} or '24:00': when it closes; at or before start = the next day.` })
  @ApiProperty({
    description: `${TIME_DOC} or '24:00': when it closes; at or before start = overnight into the next day.`,
    example: '17:00',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(5)
  end: string;
}

const DAY_NAMES: Record<(typeof WEEKDAYS)[number], string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

function dayOutput(target: object, day: (typeof WEEKDAYS)[number]): void {
  const description = `${DAY_NAMES[day]}'s open intervals (empty = closed).`;
  Field(() => [BusinessIntervalDto], { description })(target, day);
  ApiProperty({ type: [BusinessIntervalDto], description })(target, day);
}

function dayInput(target: object, day: (typeof WEEKDAYS)[number]): void {
  const description = `${DAY_NAMES[day]}'s open intervals (absent or empty = closed).`;
  Field(() => [BusinessIntervalInput], { nullable: true, description })(target, day);
  ApiPropertyOptional({ type: [BusinessIntervalInput], description })(target, day);
  IsOptional()(target, day);
  IsArray()(target, day);
  ArrayMaxSize(MAX_INTERVALS_PER_DAY)(target, day);
  ValidateNested({ each: true })(target, day);
  Type(() => BusinessIntervalInput)(target, day);
}

@ObjectType('WeeklyHours', { description: 'Open intervals per weekday, in the calendar’s time zone.' })
export class WeeklyHoursDto {
  mon: BusinessIntervalDto[];
  tue: BusinessIntervalDto[];
  wed: BusinessIntervalDto[];
  thu: BusinessIntervalDto[];
  fri: BusinessIntervalDto[];
  sat: BusinessIntervalDto[];
  sun: BusinessIntervalDto[];
}
for (const d of WEEKDAYS) dayOutput(WeeklyHoursDto.prototype, d);

@InputType('WeeklyHoursInput')
export class WeeklyHoursInput {
  mon?: BusinessIntervalInput[];
  tue?: BusinessIntervalInput[];
  wed?: BusinessIntervalInput[];
  thu?: BusinessIntervalInput[];
  fri?: BusinessIntervalInput[];
  sat?: BusinessIntervalInput[];
  sun?: BusinessIntervalInput[];
}
for (const d of WEEKDAYS) dayInput(WeeklyHoursInput.prototype, d);

@ObjectType('BusinessCalendar', {
  description:
    'Business hours: a time zone, weekly open intervals and holidays (docs/service.md#business-hours).',
})
export class BusinessCalendarDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Calendar name.', example: 'Berlin office' }) name: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'What the calendar is for.' }) description:
    string | null;
  @RecordProp({ kind: 'string', description: 'IANA time zone.', example: 'Europe/Berlin' }) timeZone: string;
  @RecordProp({ kind: 'object', objectType: WeeklyHoursDto, description: 'Open intervals per weekday.' })
  weeklyHours: WeeklyHoursDto;
  @RecordProp({
    kind: 'stringArray',
    description: "Holidays, local dates 'YYYY-MM-DD' (sorted): no interval starts on them.",
    example: ['2026-12-24', '2026-12-25'],
  })
  holidays: string[];
  @RecordProp({ kind: 'boolean', description: 'The tenant’s default calendar (at most one).' })
  isDefault: boolean;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType({ isAbstract: true })
export class CalendarFieldsInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 200,
    description: 'Calendar name.',
    example: 'Berlin office',
  })
  name: string;
  @InputProp({ kind: 'text', maxLength: 2000, description: 'What the calendar is for.' })
  description?: string | null;
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 100,
    description: 'IANA time zone of the hours and holidays.',
    example: 'Europe/Berlin',
  })
  timeZone: string;
  @InputProp({
    kind: 'object',
    objectType: WeeklyHoursInput,
    required: true,
    description:
      "Open intervals per weekday; an interval whose end is at or before its start runs overnight; '24:00' ends at midnight. A missing day is closed. On update the whole week is replaced.",
  })
  weeklyHours: WeeklyHoursInput;
  @Field(() => [String], { nullable: true, description: "Holidays, local dates 'YYYY-MM-DD'." })
  @ApiPropertyOptional({
    type: [String],
    format: 'date',
    description: `Holidays, local dates 'YYYY-MM-DD' (at most ${MAX_HOLIDAYS}); no interval starts on them. Replaced as a whole on update.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_HOLIDAYS)
  @IsString({ each: true })
  @MaxLength(10, { each: true })
  holidays?: string[];
  @InputProp({
    kind: 'boolean',
    description: 'Make it the tenant’s default calendar (the previous default stops being one).',
  })
  isDefault?: boolean;
}

@InputType('CreateBusinessCalendarInput')
export class CreateBusinessCalendarInput extends CalendarFieldsInput {}

@InputType('UpdateBusinessCalendarInput')
export class UpdateBusinessCalendarInput extends PartialInput(CalendarFieldsInput) {}
