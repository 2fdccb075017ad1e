import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

/** Query-string parameters of every REST list (`GET /v1/<objects>`). */
export class ListQueryDto {
  @ApiPropertyOptional({
    description:
      "Filter string, e.g. `lastName eq 'Smith' and account.industry in ('saas')`, or the JSON AST. See docs/query-language.md.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  filter?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated sort fields; `-` for descending. The id tiebreak is implied.',
    example: '-createdAt,lastName',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  sort?: string;

  @ApiPropertyOptional({
    description: 'Page size, 1–200 (default 50). Over 200 is a 400, never a silent clamp.',
    example: '50',
    pattern: '^[0-9]+$',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  limit?: string;

  @ApiPropertyOptional({
    description: 'Opaque cursor from the previous page’s nextCursor. Cursors never expire.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32_768)
  cursor?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated fields to return (id is always included).',
    example: 'id,email',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  fields?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated relations to embed (to-many: first 20 per record).',
    example: 'account',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  expand?: string;

  @ApiPropertyOptional({ description: 'Full-text search (websearch syntax: words, "phrases", -exclusions).' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;

  @ApiPropertyOptional({
    description: 'true adds the total number of matching records.',
    enum: ['true', 'false'],
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  count?: string;
}

/** Query-string parameters of `GET /v1/<objects>/{id}`. */
export class GetQueryDto {
  @ApiPropertyOptional({
    description: 'Comma-separated fields to return (id is always included).',
    example: 'id,email',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  fields?: string;

  @ApiPropertyOptional({ description: 'Comma-separated relations to embed.', example: 'account' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  expand?: string;
}

/** Body of `POST /v1/<objects>/search`: the list parameters as JSON; filter as a string or AST. */
export class SearchBodyDto {
  @ApiPropertyOptional({
    description: 'Filter string or JSON AST ({"and":[{"lastName":{"eq":"Smith"}}]}).',
    oneOf: [{ type: 'string' }, { type: 'object' }],
  })
  @IsOptional()
  @ValidateIf((_o, v) => typeof v !== 'string')
  @IsObject({ message: 'filter must be a string or an object' })
  filter?: string | Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Comma-separated sort fields; `-` for descending.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  sort?: string;

  @ApiPropertyOptional({
    description: 'Page size, 1–200 (default 50).',
    minimum: 1,
    maximum: 200,
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(32_768)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Fields to return.', type: [String] })
  @IsOptional()
  @IsString({ each: true })
  fields?: string[];

  @ApiPropertyOptional({ description: 'Relations to embed.', type: [String] })
  @IsOptional()
  @IsString({ each: true })
  expand?: string[];

  @ApiPropertyOptional({ description: 'Full-text search.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;

  @ApiPropertyOptional({ description: 'Include the total.' })
  @IsOptional()
  @IsIn([true, false])
  count?: boolean;
}

/** Just the paging parameters (`limit`, `cursor`), for lists that take nothing else. */
export class PageQueryDto extends PickType(ListQueryDto, ['limit', 'cursor'] as const) {}

/** Query-string parameters of a timeline: newest first, so no sort. */
export class TimelineQueryDto extends PickType(ListQueryDto, [
  'filter',
  'limit',
  'cursor',
  'fields',
  'q',
] as const) {}
