import { Controller, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { RecordController } from '../../../platform/records/record.controller.js';
import { idOf, Route } from '../../sales/sales-routes.js';
import { CaseArticlesService } from './case-articles.service.js';
import {
  CaseArticleDto,
  CaseArticleListDto,
  CreateKnowledgeArticleInput,
  KnowledgeArticleDto,
  KnowledgeArticleVersionListDto,
  UpdateKnowledgeArticleInput,
} from './knowledge-article.dto.js';
import { KnowledgeArticlesService } from './knowledge-articles.service.js';

@ApiTags('knowledge-articles')
@ApiBearerAuth('bearer')
@Controller('v1/knowledge-articles')
export class KnowledgeArticlesController extends RecordController({
  typeName: 'KnowledgeArticle',
  plural: 'knowledge-articles',
  output: KnowledgeArticleDto,
  create: CreateKnowledgeArticleInput,
  update: UpdateKnowledgeArticleInput,
}) {
  constructor(protected readonly service: KnowledgeArticlesService) {
    super();
  }

  @Route('GET', ':id/versions', {
    summary: 'Article versions',
    description:
      'Every saved version of the article (one per change, the first as created), newest first: title, body, status and tags after the save, who saved it and when. Fields hidden from you are absent. 404 when the article is not visible.',
    permissions: ['knowledge-articles:read'],
    params: { id: 'The article id.' },
    response: KnowledgeArticleVersionListDto,
    problems: [401, 403, 404],
  })
  async versions(@Ctx() ctx: RequestContext, @Param('id', idOf('knowledge article')) id: string) {
    return { data: await this.service.versions(ctx, id) };
  }
}

const CASE = { id: 'The case id.' };
const CASE_ARTICLE = { id: 'The case id.', articleId: 'The article id.' };

/** "Used to solve": the knowledge articles linked to a case (docs/service.md#knowledge-base). */
@ApiTags('cases')
@ApiBearerAuth('bearer')
@Controller('v1/cases')
export class CaseArticlesController {
  constructor(private readonly links: CaseArticlesService) {}

  @Route('GET', ':id/articles', {
    summary: 'Articles used to solve a case',
    description:
      'The knowledge articles linked to the case, most recently linked first; only articles you may read. 404 when the case is not visible.',
    permissions: ['cases:read', 'knowledge-articles:read'],
    params: CASE,
    response: CaseArticleListDto,
    problems: [401, 403, 404],
  })
  async list(@Ctx() ctx: RequestContext, @Param('id', idOf('case')) id: string) {
    return { data: await this.links.list(ctx, id) };
  }

  @Route('POST', ':id/articles/:articleId', {
    summary: 'Link an article to a case',
    description:
      'Marks the article as used to solve the case: 201 with the link, or 200 when it was linked already. Needs a case you may change (403 otherwise) and an article you may read (404 otherwise).',
    permissions: ['cases:update', 'knowledge-articles:read'],
    params: CASE_ARTICLE,
    status: 201,
    response: CaseArticleDto,
    problems: [401, 403, 404],
  })
  async link(
    @Ctx() ctx: RequestContext,
    @Param('id', idOf('case')) id: string,
    @Param('articleId', idOf('knowledge article')) articleId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseArticleDto> {
    const { link, created } = await this.links.link(ctx, id, articleId);
    if (!created) reply.status(200);
    return link;
  }

  @Route('DELETE', ':id/articles/:articleId', {
    summary: 'Unlink an article from a case',
    description: 'Removes the link (204); 404 when the article is not linked to the case.',
    permissions: ['cases:update', 'knowledge-articles:read'],
    params: CASE_ARTICLE,
    problems: [401, 403, 404],
  })
  async unlink(
    @Ctx() ctx: RequestContext,
    @Param('id', idOf('case')) id: string,
    @Param('articleId', idOf('knowledge article')) articleId: string,
  ): Promise<void> {
    await this.links.unlink(ctx, id, articleId);
  }
}
