import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordsModule } from '../../../platform/records/records.module.js';
import { CaseArticlesService } from './case-articles.service.js';
import {
  CaseArticleEntity,
  KnowledgeArticleEntity,
  KnowledgeArticleVersionEntity,
} from './knowledge-article.entity.js';
import { CaseArticlesController, KnowledgeArticlesController } from './knowledge-articles.controller.js';
import { KnowledgeArticlesResolver } from './knowledge-articles.resolver.js';
import { KnowledgeArticlesService } from './knowledge-articles.service.js';

/**
 * The knowledge base (issue 5): versioned Markdown articles with full-text search and
 * suggestions, and the articles used to solve a case. docs/service.md#knowledge-base.
 */
@Module({
  imports: [
    RecordsModule,
    TypeOrmModule.forFeature([KnowledgeArticleEntity, KnowledgeArticleVersionEntity, CaseArticleEntity]),
  ],
  controllers: [KnowledgeArticlesController, CaseArticlesController],
  providers: [KnowledgeArticlesService, CaseArticlesService, KnowledgeArticlesResolver],
  exports: [KnowledgeArticlesService],
})
export class KnowledgeModule {}
