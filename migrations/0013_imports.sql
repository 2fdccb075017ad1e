-- Bulk data loads (issue 6): import jobs with their staged rows and row errors, and export jobs.
--
-- An upload is parsed while it streams and its records are staged in import_rows (one row per
-- CSV record or NDJSON line) before the 202 answers, so the file survives a killed process and
-- any replica can work the job. The worker then processes the staged rows in chunks; each chunk
-- commits its records, audit events, outbox events, row errors and the job's checkpoint
-- (next_line and the counts) in ONE transaction, so a job killed at any point resumes from the
-- last checkpoint with no duplicate and no lost row. Staged rows are deleted when the job ends.

CREATE TABLE import_jobs (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  object text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('create', 'update', 'upsert')),
  match text NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'ndjson')),
  -- mapping, references, the CSV header
  options jsonb NOT NULL DEFAULT '{}'::jsonb,
  dry_run boolean NOT NULL DEFAULT false,
  -- a job row commits together with its staged rows, so it is never seen half-uploaded
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'partiallySucceeded', 'failed',
                                         'cancelled')),
  -- who imports: the job runs as this principal (re-checked as still active when it runs)
  principal jsonb NOT NULL,
  request_id text,
  received integer NOT NULL DEFAULT 0,
  processed integer NOT NULL DEFAULT 0,
  created integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  -- checkpoint: staged rows with line_no >= next_line are still to do
  next_line integer NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  cancel_requested boolean NOT NULL DEFAULT false,
  error text,
  -- time spent processing (ms, summed over runs), for rows/s
  work_ms bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX import_jobs_created ON import_jobs (tenant_id, created_at DESC, id DESC);
-- the workers' sweep for unfinished jobs (across tenants: run by the owner role)
CREATE INDEX import_jobs_open ON import_jobs (status) WHERE status IN ('queued', 'running');

CREATE TABLE import_rows (
  tenant_id uuid NOT NULL,
  job_id uuid NOT NULL,
  line_no integer NOT NULL,
  -- the parsed record as a JSON array (CSV) or the line itself (NDJSON)
  raw text,
  -- set when the line could not be parsed (malformed CSV, invalid UTF-8)
  parse_error text,
  PRIMARY KEY (tenant_id, job_id, line_no),
  FOREIGN KEY (tenant_id, job_id) REFERENCES import_jobs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE import_errors (
  tenant_id uuid NOT NULL,
  job_id uuid NOT NULL,
  line_no integer NOT NULL,
  seq smallint NOT NULL DEFAULT 0,
  field text,
  code text NOT NULL,
  message text NOT NULL,
  raw text,
  PRIMARY KEY (tenant_id, job_id, line_no, seq),
  FOREIGN KEY (tenant_id, job_id) REFERENCES import_jobs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE export_jobs (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  object text NOT NULL,
  filter jsonb,
  fields text[],
  sort text,
  format text NOT NULL CHECK (format IN ('csv', 'ndjson')),
  status text NOT NULL CHECK (status IN ('ready', 'running', 'succeeded', 'failed')),
  principal jsonb NOT NULL,
  request_id text,
  rows integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX export_jobs_created ON export_jobs (tenant_id, created_at DESC, id DESC);

-- The unfinished import jobs of every tenant, for the workers' sweep that resumes a job whose
-- process died (a worker holds a session-level advisory lock on the job while it works it, which
-- a killed process's session releases). Ids only, no tenant data. RLS is enabled but NOT forced
-- (like case_counters): the app role sees its own tenant's rows only, and the owner lists every
-- tenant's open jobs inside open_import_jobs() below; the job itself is then read as its tenant.
CREATE TABLE import_open_jobs (
  tenant_id uuid NOT NULL,
  job_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, job_id),
  FOREIGN KEY (tenant_id, job_id) REFERENCES import_jobs (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE import_open_jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_open_jobs
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON import_open_jobs TO rapport_app;

CREATE FUNCTION open_import_jobs(p_limit integer) RETURNS TABLE (tenant_id uuid, job_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT o.tenant_id, o.job_id FROM import_open_jobs o ORDER BY o.job_id LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION open_import_jobs(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION open_import_jobs(integer) TO rapport_app;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['import_jobs', 'import_rows', 'import_errors', 'export_jobs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;
