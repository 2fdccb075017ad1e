-- Imports stage their uploads by chunk, not by line (issue 6, the import speed target).
--
-- 0013 staged one import_rows row per CSV record: a million-row file cost a million inserted rows
-- (and index entries) while it uploaded, a million-row read back and a million-row delete when the
-- job ended — about a tenth of the database's work for an import. A chunk is now one row: the
-- lines the worker processes in one transaction (IMPORT_CHUNK_ROWS of them), as one JSON array of
-- [line number, cells (CSV: an array of strings; NDJSON: the line's text), parse error or null].
--
-- The checkpoint is the chunk itself: the transaction that processes a chunk deletes its row,
-- together with the records, audit events, outbox events, row errors and counts it writes. A job
-- killed at any point resumes with the chunks that are still there, in line order — no duplicate,
-- nothing lost — and a worker may process two chunks of one job at the same time (each its own
-- transaction), since what is done no longer has to be a prefix of the file.

CREATE TABLE import_chunks (
  tenant_id uuid NOT NULL,
  job_id uuid NOT NULL,
  first_line integer NOT NULL,
  last_line integer NOT NULL,
  lines integer NOT NULL CHECK (lines > 0),
  data text NOT NULL,
  PRIMARY KEY (tenant_id, job_id, first_line),
  FOREIGN KEY (tenant_id, job_id) REFERENCES import_jobs (tenant_id, id) ON DELETE CASCADE
);
-- Written once, read once, deleted: not worth compressing (pglz costs more CPU than the disk saved).
ALTER TABLE import_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE import_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_chunks
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON import_chunks TO rapport_app;

-- Jobs that were staged or in progress when this migration runs keep their remaining lines: each
-- run of up to 5,000 consecutive staged lines becomes one chunk (the owner reads every tenant's
-- rows: RLS is not forced on either table while it copies them).
ALTER TABLE import_rows NO FORCE ROW LEVEL SECURITY;
ALTER TABLE import_jobs NO FORCE ROW LEVEL SECURITY;
INSERT INTO import_chunks (tenant_id, job_id, first_line, last_line, lines, data)
SELECT r.tenant_id, r.job_id, min(r.line_no), max(r.line_no), count(*),
       json_agg(json_build_array(r.line_no,
                                 CASE WHEN r.parse_error IS NULL AND j.format = 'csv' THEN r.raw::json
                                      ELSE to_json(r.raw) END,
                                 r.parse_error) ORDER BY r.line_no)::text
  FROM (SELECT *, (row_number() OVER (PARTITION BY tenant_id, job_id ORDER BY line_no) - 1) / 5000 AS part
          FROM import_rows) r
  JOIN import_jobs j ON j.tenant_id = r.tenant_id AND j.id = r.job_id
 WHERE j.status IN ('queued', 'running') AND r.line_no >= j.next_line
 GROUP BY r.tenant_id, r.job_id, r.part;

ALTER TABLE import_jobs FORCE ROW LEVEL SECURITY;
DROP TABLE import_rows;
