import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { toDomainError } from '../../../platform/http/problem.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { selectList } from '../../../platform/records/record-sql.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../../platform/security/policy/record-policy.js';
import type { CaseArticleDto } from './knowledge-article.dto.js';
import { CASE } from '../cases/case.object.js';
import { KNOWLEDGE_ARTICLE } from './knowledge-article.object.js';

interface LinkRow {
  caseId: string;
  articleId: string;
  linkedBy: string | null;
  linkedAt: Date;
}

/**
 * "Used to solve": links from a case to knowledge articles. Reading the links needs read on the
 * case (404 otherwise) and shows only articles the caller may read; linking and unlinking change
 * the case, so they need `cases:update` and a case the caller may change (record-level write
 * predicate; 403 when visible but not writable), and an article the caller may read. Audited as
 * `link_article` / `unlink_article` on the case.
 */
@Injectable()
export class CaseArticlesService {
  constructor(
    private readonly db: TenantDb,
    private readonly policy: RecordPolicy,
    private readonly fieldPolicy: FieldPolicy,
    private readonly audit: AuditService,
  ) {}

  async list(ctx: RequestContext, caseId: string): Promise<CaseArticleDto[]> {
    assertPermission(ctx, 'cases:read', 'knowledge-articles:read');
    const access = await this.fieldPolicy.resolve(ctx);
    return this.guard(() =>
      this.db.read(ctx, async (em) => {
        await this.checkCase(em, ctx, caseId, 'read');
        const params = new SqlParams([caseId]);
        const where = ['l.case_id = $1::uuid', 't."deleted_at" IS NULL'];
        const visible = this.policy.readPredicate(ctx, KNOWLEDGE_ARTICLE, 't', params);
        if (visible) where.push(visible);
        const rows: (RecordData & { __link: LinkRow })[] = await em.query(
          `SELECT ${selectList(access.for(KNOWLEDGE_ARTICLE).readable())},
                  json_build_object('caseId', l.case_id, 'articleId', l.article_id, 'linkedBy', l.linked_by,
                                    'linkedAt', l.linked_at) AS "__link"
             FROM case_articles l JOIN knowledge_articles t ON t.tenant_id = l.tenant_id AND t.id = l.article_id
            WHERE ${where.join(' AND ')}
            ORDER BY l.linked_at DESC, l.article_id`,
          params.values,
        );
        return rows.map(({ __link, ...article }) => ({
          ...__link,
          linkedAt: new Date(__link.linkedAt),
          article: access.mark(KNOWLEDGE_ARTICLE, article) as never,
        }));
      }),
    );
  }

  /** Links the article; `created` is false when it was linked already (nothing changes then). */
  async link(
    ctx: RequestContext,
    caseId: string,
    articleId: string,
  ): Promise<{ link: CaseArticleDto; created: boolean }> {
    assertPermission(ctx, 'cases:update', 'knowledge-articles:read');
    const access = await this.fieldPolicy.resolve(ctx);
    return this.guard(() =>
      this.db.run(ctx, async (em) => {
        await this.checkCase(em, ctx, caseId, 'write');
        const article = await this.article(em, ctx, articleId, access.for(KNOWLEDGE_ARTICLE).readable());
        const inserted: LinkRow[] = await em.query(
          `INSERT INTO case_articles (tenant_id, case_id, article_id, linked_by)
           VALUES (app_tenant_id(), $1::uuid, $2::uuid, $3::uuid)
           ON CONFLICT DO NOTHING
           RETURNING case_id AS "caseId", article_id AS "articleId", linked_by AS "linkedBy", linked_at AS "linkedAt"`,
          [caseId, articleId, ctx.principal.userId ?? null],
        );
        let row = inserted[0];
        if (row)
          await this.audit.record(em, ctx, {
            action: 'link_article',
            object: CASE.name,
            recordId: caseId,
            details: { articleId },
          });
        else
          [row] = (await em.query(
            `SELECT case_id AS "caseId", article_id AS "articleId", linked_by AS "linkedBy", linked_at AS "linkedAt"
               FROM case_articles WHERE case_id = $1::uuid AND article_id = $2::uuid`,
            [caseId, articleId],
          )) as LinkRow[];
        return {
          link: { ...row!, article: access.mark(KNOWLEDGE_ARTICLE, article) as never },
          created: inserted.length > 0,
        };
      }),
    );
  }

  async unlink(ctx: RequestContext, caseId: string, articleId: string): Promise<void> {
    assertPermission(ctx, 'cases:update', 'knowledge-articles:read');
    await this.guard(() =>
      this.db.run(ctx, async (em) => {
        await this.checkCase(em, ctx, caseId, 'write');
        const deleted: unknown = await em.query(
          `DELETE FROM case_articles WHERE case_id = $1::uuid AND article_id = $2::uuid RETURNING article_id`,
          [caseId, articleId],
        );
        const rows = Array.isArray(deleted) && Array.isArray(deleted[0]) ? deleted[0] : deleted;
        if (!Array.isArray(rows) || rows.length === 0)
          throw new DomainError('NOT_FOUND', `Article ${articleId} is not linked to case ${caseId}.`);
        await this.audit.record(em, ctx, {
          action: 'unlink_article',
          object: CASE.name,
          recordId: caseId,
          details: { articleId },
        });
      }),
    );
  }

  /** 404 unless the caller may read the live case; with 'write', 403 unless they may also change it. */
  private async checkCase(
    em: EntityManager,
    ctx: RequestContext,
    caseId: string,
    access: 'read' | 'write',
  ): Promise<void> {
    const object = CASE;
    const params = new SqlParams([caseId]);
    const where = ['t."id" = $1::uuid', 't."deleted_at" IS NULL'];
    const visible = this.policy.readPredicate(ctx, object, 't', params);
    if (visible) where.push(visible);
    const writable = this.policy.writePredicate(ctx, object, 't', params) ?? 'TRUE';
    const rows: { writable: boolean }[] = await em.query(
      `SELECT (${writable}) AS "writable" FROM cases t WHERE ${where.join(' AND ')}${access === 'write' ? ' FOR UPDATE OF t' : ''}`,
      params.values,
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No case with id ${caseId}.`);
    if (access === 'write' && !rows[0].writable)
      throw new DomainError(
        'FORBIDDEN',
        'You may see this case but not change it (record-level security: ask its owner or an administrator to share it with you for editing).',
      );
  }

  /** The live article the caller may read (400 naming articleId otherwise: nothing to link). */
  private async article(
    em: EntityManager,
    ctx: RequestContext,
    articleId: string,
    fields: Parameters<typeof selectList>[0],
  ): Promise<RecordData> {
    const params = new SqlParams([articleId]);
    const where = ['t."id" = $1::uuid', 't."deleted_at" IS NULL'];
    const visible = this.policy.readPredicate(ctx, KNOWLEDGE_ARTICLE, 't', params);
    if (visible) where.push(visible);
    const rows: RecordData[] = await em.query(
      `SELECT ${selectList(fields)} FROM knowledge_articles t WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No knowledge article with id ${articleId}.`);
    return rows[0];
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw toDomainError(e);
    }
  }
}
