-- Rapport foundation: tenants, users, sign-in, signing keys, and the customers domain.
-- Every tenant-owned table: tenant_id leads the primary key and every foreign key, RLS is enabled
-- and forced, and the policy reads the tenant from the transaction-local setting app.tenant_id.
-- The service runs its queries as rapport_app (SET LOCAL ROLE), which owns nothing and cannot
-- bypass RLS; with no tenant set, every tenant-owned table reads as empty.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rapport_app') THEN
    CREATE ROLE rapport_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;

-- The migrating login must be able to SET ROLE rapport_app.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'rapport_app', 'MEMBER') THEN
    EXECUTE format('GRANT rapport_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO rapport_app;

CREATE FUNCTION app_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Tenants ------------------------------------------------------------------------------------
CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());

-- Users --------------------------------------------------------------------------------------
CREATE TABLE users (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  email text NOT NULL CHECK (email = lower(email)),
  password_hash text,
  display_name text NOT NULL,
  is_admin boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email)
);

-- Sign-in directory: maps a login email to its tenant before any tenant is known. Under RLS like
-- every tenant table (not FORCEd: its owner reads across tenants), and read across tenants only
-- through the two SECURITY DEFINER functions below, which answer for one email at a time.
CREATE TABLE user_directory (
  email text PRIMARY KEY CHECK (email = lower(email)),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE refresh_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  secret_hash text NOT NULL,
  family_id uuid NOT NULL,
  scope text NOT NULL DEFAULT '',
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);

-- Token signing keys: global, read only by the service's own login at boot (never by rapport_app).
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);

-- Accounts -----------------------------------------------------------------------------------
CREATE TABLE accounts (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL,
  domain text,
  industry text,
  employees integer CHECK (employees >= 0),
  annual_revenue numeric(20, 2),
  currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
  website text,
  phone text,
  billing_address jsonb,
  shipping_address jsonb,
  parent_account_id uuid,
  owner_id uuid,
  external_id text,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(domain, '') || ' ' || coalesce(industry, '') || ' ' || coalesce(website, ''))
  ) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
  CHECK ((annual_revenue IS NULL) OR (currency IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_external_id ON accounts (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX accounts_name ON accounts (tenant_id, name, id);
CREATE INDEX accounts_created ON accounts (tenant_id, created_at, id);
CREATE INDEX accounts_parent ON accounts (tenant_id, parent_account_id) WHERE parent_account_id IS NOT NULL;
CREATE INDEX accounts_owner ON accounts (tenant_id, owner_id);
CREATE INDEX accounts_search ON accounts USING gin (search);

-- Contacts -----------------------------------------------------------------------------------
CREATE TABLE contacts (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  first_name text,
  last_name text NOT NULL,
  email text,
  phone text,
  title text,
  account_id uuid,
  owner_id uuid,
  lifecycle_stage text CHECK (lifecycle_stage IN
    ('subscriber', 'lead', 'marketingQualified', 'salesQualified', 'opportunity', 'customer', 'evangelist', 'other')),
  lead_source text,
  do_not_contact boolean NOT NULL DEFAULT false,
  address jsonb,
  external_id text,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(title, ''))
  ) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX contacts_external_id ON contacts (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX contacts_account ON contacts (tenant_id, account_id);
CREATE INDEX contacts_last_name ON contacts (tenant_id, last_name, id);
CREATE INDEX contacts_email ON contacts (tenant_id, email);
CREATE INDEX contacts_created ON contacts (tenant_id, created_at, id);
CREATE INDEX contacts_owner ON contacts (tenant_id, owner_id);
CREATE INDEX contacts_search ON contacts USING gin (search);

-- Activities ---------------------------------------------------------------------------------
-- An activity links to the records it concerns through one nullable foreign-key column per
-- target object. Later modules add lead_id, opportunity_id and case_id the same way, so every
-- link keeps referential integrity inside the tenant.
CREATE TABLE activities (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  type text NOT NULL CHECK (type IN ('call', 'email', 'meeting', 'note', 'task')),
  subject text NOT NULL,
  body text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz,
  status text NOT NULL DEFAULT 'completed' CHECK (status IN ('open', 'completed', 'cancelled')),
  owner_id uuid,
  account_id uuid,
  contact_id uuid,
  external_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(subject, '') || ' ' || coalesce(body, ''))
  ) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id)
);
CREATE UNIQUE INDEX activities_external_id ON activities (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX activities_account_timeline ON activities (tenant_id, account_id, occurred_at DESC, id DESC);
CREATE INDEX activities_contact_timeline ON activities (tenant_id, contact_id, occurred_at DESC, id DESC);
CREATE INDEX activities_created ON activities (tenant_id, created_at, id);
CREATE INDEX activities_search ON activities USING gin (search);

-- Row-level security and grants --------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'refresh_tokens', 'accounts', 'contacts', 'activities'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON tenants TO rapport_app;

ALTER TABLE user_directory ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_directory USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON user_directory TO rapport_app;

-- The tenant and user an email signs in to (at most one row).
CREATE FUNCTION sign_in_lookup(p_email text) RETURNS TABLE (tenant_id uuid, user_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT d.tenant_id, d.user_id FROM user_directory d WHERE d.email = lower(p_email) $$;

-- Whether anybody can sign in yet (bootstrap of an empty database): the first entry, if any.
CREATE FUNCTION sign_in_first() RETURNS TABLE (tenant_id uuid, user_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT d.tenant_id, d.user_id FROM user_directory d ORDER BY d.tenant_id, d.user_id LIMIT 1 $$;

REVOKE ALL ON FUNCTION sign_in_lookup(text), sign_in_first() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sign_in_lookup(text), sign_in_first() TO rapport_app;
