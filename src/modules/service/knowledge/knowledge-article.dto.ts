import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { InputProp, OutputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { ARTICLE_STATUSES } from './knowledge-article.object.js';

export const ArticleStatusEnum = Object.fromEntries(ARTICLE_STATUSES.map((s) => [s, s]));
registerEnumType(ArticleStatusEnum, {
  name: 'ArticleStatus',
  description:
    'draft → published or archived; published → draft or archived; archived → draft (an archived article is republished through draft).',
});
const STATUS = { kind: 'enum' as const, enumValues: ARTICLE_STATUSES, graphqlEnum: ArticleStatusEnum };

@ObjectType('KnowledgeArticle', { description: 'A knowledge-base article (Markdown), versioned.' })
export class KnowledgeArticleDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Title.', example: 'Resetting your password' }) title: string;
  @RecordProp({ kind: 'text', description: 'Body, in Markdown.' }) body: string;
  @RecordProp({ ...STATUS, description: 'draft, published or archived.' }) status: string;
  @RecordProp({ kind: 'stringArray', description: 'Free-form tags.', example: ['login', 'sso'] })
  tags: string[];
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The user who created the article.' })
  authorId: string | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'When the article was last published.' })
  publishedAt: Date | null;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag); each one is kept.' })
  version: number;
}

@InputType('CreateKnowledgeArticleInput')
export class CreateKnowledgeArticleInput {
  @InputProp({ kind: 'string', required: true, maxLength: 300, description: 'Title.' }) title: string;
  @InputProp({ kind: 'text', maxLength: 200_000, description: 'Body, in Markdown (default empty).' })
  body?: string;
  @InputProp({ ...STATUS, description: 'Initial status (default draft).' }) status?: string;
  @InputProp({ kind: 'stringArray', description: 'Free-form tags (at most 100, each up to 100 characters).' })
  tags?: string[];
}

@InputType('UpdateKnowledgeArticleInput')
export class UpdateKnowledgeArticleInput extends PartialInput(CreateKnowledgeArticleInput) {}

@ObjectType('KnowledgeArticleVersion', { description: 'One saved version of an article.' })
export class KnowledgeArticleVersionDto {
  @OutputProp({ kind: 'uuid', description: 'The article.' }) articleId: string;
  @OutputProp({ kind: 'int', description: 'The article’s version this row saved (1 = as created).' })
  version: number;
  @Field({ nullable: true, description: 'Title (absent when field-level security hides it).' })
  @ApiProperty({ type: String, required: false, description: 'Title (absent when hidden from you).' })
  title?: string;
  @Field({ nullable: true, description: 'Body (absent when field-level security hides it).' })
  @ApiProperty({ type: String, required: false, description: 'Body (absent when hidden from you).' })
  body?: string;
  @Field(() => ArticleStatusEnum, { nullable: true, description: 'Status after the save.' })
  @ApiProperty({ enum: [...ARTICLE_STATUSES], required: false, description: 'Status after the save.' })
  status?: string;
  @Field(() => [String], { nullable: true, description: 'Tags after the save.' })
  @ApiProperty({ type: [String], required: false, description: 'Tags after the save.' })
  tags?: string[];
  @OutputProp({
    kind: 'uuid',
    nullable: true,
    description: 'The user who saved it (null: a client or the system).',
  })
  editedBy: string | null;
  @OutputProp({ kind: 'datetime', description: 'When it was saved.' }) editedAt: Date;
}

export class KnowledgeArticleVersionListDto {
  @ApiProperty({ type: [KnowledgeArticleVersionDto], description: 'Versions, newest first.' })
  data: KnowledgeArticleVersionDto[];
}

@ObjectType('CaseArticleLink', { description: 'An article used to solve a case.' })
export class CaseArticleDto {
  @OutputProp({ kind: 'uuid', description: 'The case.' }) caseId: string;
  @OutputProp({ kind: 'uuid', description: 'The article.' }) articleId: string;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'Who linked it (null: a client or the system).' })
  linkedBy: string | null;
  @OutputProp({ kind: 'datetime', description: 'When it was linked.' }) linkedAt: Date;
  @Field(() => KnowledgeArticleDto, { description: 'The article (fields hidden from you are absent).' })
  @ApiProperty({ type: KnowledgeArticleDto, description: 'The article (fields hidden from you are absent).' })
  article: KnowledgeArticleDto;
}

export class CaseArticleListDto {
  @ApiProperty({
    type: [CaseArticleDto],
    description: 'Linked articles you may read, most recently linked first.',
  })
  data: CaseArticleDto[];
}

/** How many suggestions `suggest` returns at most. */
export const MAX_SUGGESTIONS = 20;

@ArgsType()
export class SuggestArgs {
  @Field({ description: 'The text to match, e.g. a case subject (any word may match).' })
  @IsString()
  @MaxLength(1000)
  text: string;

  @Field(() => Int, { nullable: true, description: `How many (1–${MAX_SUGGESTIONS}, default 5).` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SUGGESTIONS)
  limit?: number;
}
