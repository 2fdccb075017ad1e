-- Service, knowledge base (issue 5; docs/service.md#knowledge-base): articles with full-text
-- search, their saved versions, and the links from cases to the articles used to solve them.
-- Same tenant rules as 0001: tenant_id leads every primary and foreign key, RLS is enabled and
-- forced with the tenant_isolation policy, and rapport_app gets only what the service needs.

-- Articles ------------------------------------------------------------------------------------
-- `search` weighs the title (A) above the body (B): suggestions rank by it (ts_rank), `q` filters
-- by it. 'simple' configuration, as every other search column (list-query.ts SEARCH_CONFIG).
CREATE TABLE knowledge_articles (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  body text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  tags text[] NOT NULL DEFAULT '{}',
  author_id uuid,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(body, '')), 'B')
  ) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX knowledge_articles_created ON knowledge_articles (tenant_id, created_at, id);
CREATE INDEX knowledge_articles_updated ON knowledge_articles (tenant_id, updated_at, id);
CREATE INDEX knowledge_articles_search ON knowledge_articles USING gin (search);
CREATE INDEX knowledge_articles_author ON knowledge_articles (tenant_id, author_id) WHERE author_id IS NOT NULL;

-- One row per saved version of an article (the first included), written by the service in the
-- transaction that saves it: `version` is the article's version after that save. Append-only.
CREATE TABLE knowledge_article_versions (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  article_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  title text NOT NULL,
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
  tags text[] NOT NULL DEFAULT '{}',
  edited_by uuid,
  edited_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, article_id, version),
  FOREIGN KEY (tenant_id, article_id) REFERENCES knowledge_articles (tenant_id, id),
  FOREIGN KEY (tenant_id, edited_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX knowledge_article_versions_edited_by ON knowledge_article_versions (tenant_id, edited_by)
  WHERE edited_by IS NOT NULL;

-- Articles used to solve a case ("used to solve"); one link per case and article.
CREATE TABLE case_articles (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  case_id uuid NOT NULL,
  article_id uuid NOT NULL,
  linked_by uuid,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, case_id, article_id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, article_id) REFERENCES knowledge_articles (tenant_id, id),
  FOREIGN KEY (tenant_id, linked_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX case_articles_article ON case_articles (tenant_id, article_id);
CREATE INDEX case_articles_linked_by ON case_articles (tenant_id, linked_by) WHERE linked_by IS NOT NULL;

-- Row-level security and grants --------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['knowledge_articles', 'knowledge_article_versions', 'case_articles'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON knowledge_articles TO rapport_app;
GRANT SELECT, INSERT ON knowledge_article_versions TO rapport_app;
GRANT SELECT, INSERT, DELETE ON case_articles TO rapport_app;
