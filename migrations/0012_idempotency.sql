-- Idempotency keys (DESIGN §9, docs/integration.md#idempotency-keys): a POST sent with an
-- `Idempotency-Key` header claims the key here before it runs (state in_progress) and stores its
-- response when it ends (state completed); a retry with the same key and the same request replays
-- that response, the same key with another request is a 422, and a retry while the first is still
-- running is a 409. Keys belong to one principal of one tenant and live IDEMPOTENCY_TTL_HOURS.
--
-- RLS is enabled but NOT forced (like user_directory and case_counters): the app role is confined
-- to its tenant like everywhere, and only the owner, inside the SECURITY DEFINER purge function
-- below, deletes expired keys across tenants (the hourly `idempotency.purge` job).

CREATE TABLE idempotency_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  -- the caller: 'user' | 'apiKey' | 'oauthClient' | 'system', and its id
  principal_type text NOT NULL,
  principal_id text NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  method text NOT NULL,
  path text NOT NULL,
  -- hex sha256 of the method, the path and the canonical JSON body (or what the endpoint chose)
  fingerprint text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
  response_status integer CHECK (response_status BETWEEN 100 AND 599),
  -- the headers a replay repeats: location, etag, content-type
  response_headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- the body bytes exactly as first sent
  response_body bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, principal_type, principal_id, key),
  CHECK ((state = 'completed') = (response_status IS NOT NULL))
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO rapport_app;

-- Deletes up to p_limit expired keys of every tenant; returns how many. Batched so one run never
-- holds a long transaction; the job calls it until it returns less than p_limit.
CREATE FUNCTION purge_expired_idempotency_keys(p_now timestamptz, p_limit integer) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE n integer;
BEGIN
  DELETE FROM idempotency_keys k
   WHERE (k.tenant_id, k.principal_type, k.principal_id, k.key) IN (
     SELECT e.tenant_id, e.principal_type, e.principal_id, e.key FROM idempotency_keys e
      WHERE e.expires_at <= p_now ORDER BY e.expires_at LIMIT p_limit);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

REVOKE ALL ON FUNCTION purge_expired_idempotency_keys(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_expired_idempotency_keys(timestamptz, integer) TO rapport_app;
