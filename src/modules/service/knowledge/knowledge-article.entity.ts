import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `knowledge_articles` table (migrations/0011). */
@Entity('knowledge_articles')
export class KnowledgeArticleEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') title: string;
  @Column('text', { default: '' }) body: string;
  @Column('text', { default: 'draft' }) status: string;
  @Column('text', { array: true, default: '{}' }) tags: string[];
  @Column('uuid', { name: 'author_id', nullable: true }) authorId: string | null;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt: Date | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}

/** The `knowledge_article_versions` table: one row per saved version. */
@Entity('knowledge_article_versions')
export class KnowledgeArticleVersionEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid', { name: 'article_id' }) articleId: string;
  @PrimaryColumn('integer') version: number;
  @Column('text') title: string;
  @Column('text') body: string;
  @Column('text') status: string;
  @Column('text', { array: true, default: '{}' }) tags: string[];
  @Column('uuid', { name: 'edited_by', nullable: true }) editedBy: string | null;
  @Column('timestamptz', { name: 'edited_at', default: () => 'now()' }) editedAt: Date;
}

/** The `case_articles` table: articles used to solve a case. */
@Entity('case_articles')
export class CaseArticleEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid', { name: 'case_id' }) caseId: string;
  @PrimaryColumn('uuid', { name: 'article_id' }) articleId: string;
  @Column('uuid', { name: 'linked_by', nullable: true }) linkedBy: string | null;
  @Column('timestamptz', { name: 'linked_at', default: () => 'now()' }) linkedAt: Date;
}
