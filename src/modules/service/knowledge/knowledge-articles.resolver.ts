import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { graphqlUuid, RecordResolver } from '../../../platform/records/record.resolver.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { CaseArticlesService } from './case-articles.service.js';
import {
  CaseArticleDto,
  CreateKnowledgeArticleInput,
  KnowledgeArticleDto,
  KnowledgeArticleVersionDto,
  SuggestArgs,
  UpdateKnowledgeArticleInput,
} from './knowledge-article.dto.js';
import { KnowledgeArticlesService } from './knowledge-articles.service.js';

@Resolver(() => KnowledgeArticleDto)
export class KnowledgeArticlesResolver extends RecordResolver({
  typeName: 'KnowledgeArticle',
  singular: 'knowledgeArticle',
  plural: 'knowledgeArticles',
  permissionObject: 'knowledge-articles',
  output: KnowledgeArticleDto,
  create: CreateKnowledgeArticleInput,
  update: UpdateKnowledgeArticleInput,
}) {
  constructor(
    protected readonly service: KnowledgeArticlesService,
    private readonly links: CaseArticlesService,
  ) {
    super();
  }

  @ResolveField('versions', () => [KnowledgeArticleVersionDto], {
    description: 'Every saved version, newest first. REST: GET /v1/knowledge-articles/{id}/versions.',
  })
  versions(@Parent() article: KnowledgeArticleDto, @Ctx() ctx: RequestContext) {
    return this.service.versions(ctx, article.id);
  }

  @RequirePermission('knowledge-articles:read')
  @Query(() => [KnowledgeArticleDto], {
    description:
      'Published articles matching any word of `text`, most relevant first (title weighs more than body).',
  })
  suggestKnowledgeArticles(@Ctx() ctx: RequestContext, @Args() args: SuggestArgs): Promise<RecordData[]> {
    return this.service.suggest(ctx, args.text, args.limit ?? 5);
  }

  @RequirePermission('cases:read', 'knowledge-articles:read')
  @Query(() => [CaseArticleDto], {
    description: 'The articles used to solve a case. REST: GET /v1/cases/{id}/articles.',
  })
  caseArticles(
    @Ctx() ctx: RequestContext,
    @Args('caseId', { type: () => ID }, graphqlUuid) caseId: string,
  ): Promise<CaseArticleDto[]> {
    return this.links.list(ctx, caseId);
  }

  @RequirePermission('cases:update', 'knowledge-articles:read')
  @Mutation(() => CaseArticleDto, {
    description:
      'Mark an article as used to solve a case (idempotent). REST: POST /v1/cases/{id}/articles/{articleId}.',
  })
  async linkCaseArticle(
    @Ctx() ctx: RequestContext,
    @Args('caseId', { type: () => ID }, graphqlUuid) caseId: string,
    @Args('articleId', { type: () => ID }, graphqlUuid) articleId: string,
  ): Promise<CaseArticleDto> {
    return (await this.links.link(ctx, caseId, articleId)).link;
  }

  @RequirePermission('cases:update', 'knowledge-articles:read')
  @Mutation(() => Boolean, {
    description: 'Remove an article’s link to a case. REST: DELETE /v1/cases/{id}/articles/{articleId}.',
  })
  async unlinkCaseArticle(
    @Ctx() ctx: RequestContext,
    @Args('caseId', { type: () => ID }, graphqlUuid) caseId: string,
    @Args('articleId', { type: () => ID }, graphqlUuid) articleId: string,
  ): Promise<boolean> {
    await this.links.unlink(ctx, caseId, articleId);
    return true;
  }
}
