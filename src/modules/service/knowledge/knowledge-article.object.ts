import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const ARTICLE_STATUSES = ['draft', 'published', 'archived'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

/**
 * A knowledge-base article (docs/service.md#knowledge-base). No owner field: who may read and
 * change articles is the org-wide default of `knowledge-articles` (object sharing) plus explicit
 * shares; `authorId` names who created it.
 */
export const KNOWLEDGE_ARTICLE = registry.register({
  name: 'knowledgeArticle',
  plural: 'knowledge-articles',
  table: 'knowledge_articles',
  searchColumn: 'search',
  searchFields: ['title', 'body'],
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'title', type: 'string', nullable: false, description: 'Title.' }),
    field({ name: 'body', type: 'text', nullable: false, description: 'Body, in Markdown.' }),
    field({
      name: 'status',
      type: 'enum',
      enumValues: ARTICLE_STATUSES,
      nullable: false,
      description: 'draft, published or archived.',
    }),
    field({ name: 'tags', type: 'stringArray', nullable: false, description: 'Free-form tags.' }),
    field({
      name: 'authorId',
      type: 'uuid',
      writable: 'never',
      description: 'The user who created the article.',
    }),
    field({
      name: 'publishedAt',
      type: 'datetime',
      writable: 'never',
      description: 'When the article was last published.',
    }),
  ],
  relations: [],
});
