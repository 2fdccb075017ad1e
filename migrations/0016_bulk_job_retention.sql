-- Retention of finished bulk jobs (issue 6). Import jobs keep their row errors — each with the raw
-- row, personal data — and export jobs their filters; neither should be kept for ever. A daily job
-- deletes the import jobs that finished, and the export jobs created, more than
-- BULK_JOB_RETENTION_DAYS ago (an import job's errors and any staged chunks go with it, by the
-- foreign keys' ON DELETE CASCADE).
--
-- The tenants that have bulk jobs are listed in bulk_job_tenants (one row per tenant, added when
-- it first creates an import or export job). Like case_counters it has RLS enabled but NOT
-- forced: the app role sees its own tenant's row only, and purge_bulk_jobs() below, owned by the
-- owner, loops over every tenant in it and deletes that tenant's expired jobs with app.tenant_id
-- set to that tenant — under the jobs tables' own RLS, so nothing crosses tenants.

CREATE TABLE bulk_job_tenants (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id)
);
ALTER TABLE bulk_job_tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bulk_job_tenants
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON bulk_job_tenants TO rapport_app;

-- Tenants with jobs from before this migration (read as the owner: RLS is not forced here, and
-- the jobs tables' is lifted for the copy).
ALTER TABLE import_jobs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE export_jobs NO FORCE ROW LEVEL SECURITY;
INSERT INTO bulk_job_tenants (tenant_id)
SELECT tenant_id FROM import_jobs UNION SELECT tenant_id FROM export_jobs
ON CONFLICT DO NOTHING;
ALTER TABLE import_jobs FORCE ROW LEVEL SECURITY;
ALTER TABLE export_jobs FORCE ROW LEVEL SECURITY;

-- The purge's reads: finished import jobs by age (export jobs use export_jobs_created).
CREATE INDEX import_jobs_finished ON import_jobs (tenant_id, finished_at) WHERE finished_at IS NOT NULL;

CREATE FUNCTION purge_bulk_jobs(p_before timestamptz) RETURNS TABLE (imports bigint, exports bigint)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  t uuid;
  n bigint;
  saved text := current_setting('app.tenant_id', true);
BEGIN
  imports := 0;
  exports := 0;
  FOR t IN SELECT b.tenant_id FROM bulk_job_tenants b ORDER BY b.tenant_id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    DELETE FROM import_jobs j
     WHERE j.tenant_id = t AND j.finished_at < p_before
       AND j.status IN ('succeeded', 'partiallySucceeded', 'failed', 'cancelled');
    GET DIAGNOSTICS n = ROW_COUNT;
    imports := imports + n;
    DELETE FROM export_jobs x WHERE x.tenant_id = t AND x.created_at < p_before;
    GET DIAGNOSTICS n = ROW_COUNT;
    exports := exports + n;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION purge_bulk_jobs(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_bulk_jobs(timestamptz) TO rapport_app;
