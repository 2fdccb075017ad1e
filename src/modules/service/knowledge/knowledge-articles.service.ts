import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { toDomainError } from '../../../platform/http/problem.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { selectList } from '../../../platform/records/record-sql.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../../platform/security/policy/record-policy.js';
import type { KnowledgeArticleVersionDto } from './knowledge-article.dto.js';
import { type ArticleStatus, KNOWLEDGE_ARTICLE } from './knowledge-article.object.js';
import { suggestionWords } from './suggestion-words.js';

/** The status changes an article may make (docs/service.md#knowledge-base). */
const TRANSITIONS: Record<ArticleStatus, readonly ArticleStatus[]> = {
  draft: ['published', 'archived'],
  published: ['draft', 'archived'],
  archived: ['draft'],
};

const FIELDS = ['title', 'body', 'status', 'tags'] as const;

/**
 * Knowledge-base articles: the generic record operations plus the status lifecycle, a saved
 * version per change (knowledge_article_versions, in the write's transaction), the author and
 * publication time, and suggestions ranked by full-text relevance.
 */
@Injectable()
export class KnowledgeArticlesService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly policy: RecordPolicy,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    super(records, KNOWLEDGE_ARTICLE);
  }

  override async create(ctx: RequestContext, input: { status?: string }): Promise<RecordData> {
    this.require(ctx, 'create');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const created = await super.create(tx, input);
      const id = created.id as string;
      await em.query(
        `UPDATE knowledge_articles SET author_id = $2::uuid,
                published_at = CASE WHEN status = 'published' THEN now() END
          WHERE id = $1::uuid`,
        [id, ctx.principal.userId ?? null],
      );
      await this.saveVersion(em, ctx, id);
      return this.records.get(tx, KNOWLEDGE_ARTICLE, id);
    });
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: { status?: string },
    expectedVersion?: number,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const current = await this.lock(em, ctx, id);
      if (current) checkLifecycle(current.status, patch);
      const updated = await super.update(tx, id, patch, expectedVersion);
      if (!current || updated.version === current.version) return updated;
      if (updated.status === 'published' && current.status !== 'published')
        await em.query(`UPDATE knowledge_articles SET published_at = now() WHERE id = $1::uuid`, [id]);
      await this.saveVersion(em, ctx, id);
      return this.records.get(tx, KNOWLEDGE_ARTICLE, id);
    });
  }

  /** Every saved version, newest first; 404 when the article is not visible. Hidden fields are absent. */
  async versions(ctx: RequestContext, id: string): Promise<KnowledgeArticleVersionDto[]> {
    this.require(ctx, 'read');
    await this.records.get(ctx, KNOWLEDGE_ARTICLE, id, { fields: 'id' });
    const access = (await this.fieldPolicy.resolve(ctx)).for(KNOWLEDGE_ARTICLE);
    const rows: KnowledgeArticleVersionDto[] = await this.read(ctx, (em) =>
      em.query(
        `SELECT v.article_id AS "articleId", v.version, v.title, v.body, v.status, v.tags,
                v.edited_by AS "editedBy", v.edited_at AS "editedAt"
           FROM knowledge_article_versions v WHERE v.article_id = $1::uuid ORDER BY v.version DESC`,
        [id],
      ),
    );
    for (const row of rows) for (const f of FIELDS) if (access.isHidden(f)) delete row[f];
    return rows;
  }

  /**
   * Published articles matching any of the words of `text`, most relevant first (ts_rank over the
   * title-weighted search column): the suggestions on a case. Under the caller's record-level
   * read predicate, with only the fields they may read; 403 FORBIDDEN_FIELD when the title or body
   * (what is searched) is hidden from them.
   */
  async suggest(ctx: RequestContext, text: string, limit = 5): Promise<RecordData[]> {
    this.require(ctx, 'read');
    const access = await this.fieldPolicy.resolve(ctx);
    access.checkSearch(KNOWLEDGE_ARTICLE);
    const words = suggestionWords(text);
    if (words.length === 0) return [];
    return this.read(ctx, async (em) => {
      const params = new SqlParams();
      const query = `to_tsquery('simple', ${params.add(words.join(' | '))}::text)`;
      const where = [`t."deleted_at" IS NULL`, `t."status" = 'published'`, `t."search" @@ ${query}`];
      const visible = this.policy.readPredicate(ctx, KNOWLEDGE_ARTICLE, 't', params);
      if (visible) where.push(visible);
      const rows: RecordData[] = await em.query(
        `SELECT ${selectList(access.for(KNOWLEDGE_ARTICLE).readable())} FROM knowledge_articles t
          WHERE ${where.join(' AND ')}
          ORDER BY ts_rank(t."search", ${query}) DESC, t."id" LIMIT ${params.add(limit)}::int`,
        params.values,
      );
      return rows.map((r) => access.mark(KNOWLEDGE_ARTICLE, r));
    });
  }

  /** The live article's status, locked for the save, if the caller may see it (else the update's own 404). */
  private async lock(
    em: EntityManager,
    ctx: RequestContext,
    id: string,
  ): Promise<{ status: ArticleStatus; version: number } | undefined> {
    const params = new SqlParams([id]);
    const where = ['t."id" = $1::uuid', 't."deleted_at" IS NULL'];
    const visible = this.policy.readPredicate(ctx, KNOWLEDGE_ARTICLE, 't', params);
    if (visible) where.push(visible);
    const rows: { status: ArticleStatus; version: number }[] = await em.query(
      `SELECT t.status, t.version FROM knowledge_articles t WHERE ${where.join(' AND ')} FOR UPDATE`,
      params.values,
    );
    return rows[0];
  }

  private async saveVersion(em: EntityManager, ctx: RequestContext, id: string): Promise<void> {
    await em.query(
      `INSERT INTO knowledge_article_versions (tenant_id, article_id, version, title, body, status, tags, edited_by)
       SELECT a.tenant_id, a.id, a.version, a.title, a.body, a.status, a.tags, $2::uuid
         FROM knowledge_articles a WHERE a.id = $1::uuid`,
      [id, ctx.principal.userId ?? null],
    );
  }

  private async read<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.read(ctx, work);
    } catch (e) {
      throw toDomainError(e);
    }
  }
}

/** 409 for a status change the lifecycle does not allow, or for editing an archived article. */
function checkLifecycle(from: ArticleStatus, patch: Record<string, unknown>): void {
  const to = patch.status as ArticleStatus | undefined;
  if (to !== undefined && to !== from && !TRANSITIONS[from].includes(to))
    throw new DomainError('CONFLICT', `An ${from} article cannot become ${to}; move it to draft first.`, [
      { field: 'status', code: 'invalid_transition', message: `${from} → ${to} is not allowed` },
    ]);
  if (from === 'archived') {
    const edited = Object.keys(patch).filter((k) => k !== 'status' && patch[k] !== undefined);
    if (edited.length > 0 && to !== 'draft')
      throw new DomainError('CONFLICT', 'An archived article is read-only; move it back to draft first.', [
        { field: edited[0]!, code: 'archived', message: 'an archived article cannot be edited' },
      ]);
  }
}
