-- Governance I: API keys for scripts, OAuth clients for partners, and failed-login throttling.
-- Credentials carry their tenant and row id in clear (rpk_… / rpc_…), so a lookup pins the tenant
-- first and RLS applies as everywhere; only a SHA-256 of each random 256-bit secret is stored.

-- API keys -----------------------------------------------------------------------------------
-- A key acts for its owner (user_id). Its scopes are permission strings; at use time the key holds
-- scopes ∩ the owner's current permissions, so demoting or disabling the owner demotes the key.
CREATE TABLE api_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  -- who created it: the owner, or a holder of api-keys:manage
  created_by uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  scopes text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 200),
  secret_hash text NOT NULL,
  expires_at timestamptz,
  -- written at most once a minute per key, not on every request
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX api_keys_user ON api_keys (tenant_id, user_id, created_at DESC);

-- OAuth clients ------------------------------------------------------------------------------
-- A partner application (client_credentials grant). It acts as a role; a token's permissions are
-- requested scopes ∩ allowed_scopes ∩ the role's permissions. A rotated secret keeps working until
-- previous_secret_expires_at (overlap window), then only the new one does.
CREATE TABLE oauth_clients (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  role_id uuid NOT NULL,
  allowed_scopes text[] NOT NULL CHECK (cardinality(allowed_scopes) BETWEEN 1 AND 200),
  token_lifetime_seconds integer NOT NULL CHECK (token_lifetime_seconds BETWEEN 60 AND 3600),
  secret_hash text NOT NULL,
  previous_secret_hash text,
  previous_secret_expires_at timestamptz,
  secret_rotated_at timestamptz,
  created_by uuid NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
  CHECK ((previous_secret_hash IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX oauth_clients_role ON oauth_clients (tenant_id, role_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_keys', 'oauth_clients'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;

-- Failed-login throttling --------------------------------------------------------------------
-- Counted before the tenant is known (the password grant finds it from the email), and shared by
-- every replica. A bucket is a SHA-256 of "email:<address>" or "ip:<address>": no tenant data and
-- no readable personal data, so no RLS. Rows outlive their last failure by one window at most.
CREATE TABLE login_failures (
  bucket text PRIMARY KEY,
  failures integer NOT NULL CHECK (failures >= 0),
  last_failure_at timestamptz NOT NULL
);
CREATE INDEX login_failures_last ON login_failures (last_failure_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_failures TO rapport_app;
