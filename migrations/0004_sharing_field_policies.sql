-- Governance I: record-level sharing and field-level security (DESIGN §7).
--
-- Record level: per object an org-wide default (object_sharing; no row = 'readWrite', see
-- src/platform/security/policy/record-policy.ts), the record owner, the role hierarchy (roles
-- below yours), and explicit shares to a user, a team or a role (record_shares). The service
-- compiles these into one SQL predicate added to every read and write of a record.
-- Field level: per role and object, a field policy (field_policies) written as an allow-list
-- (unlisted fields hidden) or a deny-list (unlisted fields editable).
-- `object` is the API name of the object as it appears in REST paths and permissions (`contacts`).
-- Same tenant rules as 0001/0002: tenant_id leads every key, RLS forced.

CREATE TABLE object_sharing (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  object text NOT NULL CHECK (length(object) BETWEEN 1 AND 100),
  default_access text NOT NULL CHECK (default_access IN ('private', 'read', 'readWrite')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- the user who last changed it (null: a client or the system)
  updated_by uuid,
  PRIMARY KEY (tenant_id, object)
);

-- A grant of one record to a user, a team or a role. grantee_id points at users, teams or roles
-- according to grantee_type (checked by the service; a share whose grantee is gone matches nobody).
CREATE TABLE record_shares (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  object text NOT NULL CHECK (length(object) BETWEEN 1 AND 100),
  record_id uuid NOT NULL,
  grantee_type text NOT NULL CHECK (grantee_type IN ('user', 'team', 'role')),
  grantee_id uuid NOT NULL,
  access text NOT NULL CHECK (access IN ('read', 'readWrite')),
  -- the user who shared it (null: a client or the system)
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  -- one grant per grantee and record; also the index the record predicate probes per row
  UNIQUE (tenant_id, object, record_id, grantee_type, grantee_id)
);
CREATE INDEX record_shares_grantee ON record_shares (tenant_id, grantee_type, grantee_id);

CREATE TABLE field_policies (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  role_id uuid NOT NULL,
  object text NOT NULL CHECK (length(object) BETWEEN 1 AND 100),
  -- allowList: unlisted fields are hidden; denyList: unlisted fields are editable
  mode text NOT NULL CHECK (mode IN ('allowList', 'denyList')),
  -- {"<field API name>": "hidden" | "read" | "edit"}
  rules jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(rules) = 'object'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, role_id, object),
  FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['object_sharing', 'record_shares', 'field_policies'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;

-- The roles strictly below `manager_role` in the hierarchy (children, grandchildren, …). Runs as
-- the caller, so RLS keeps it inside the current tenant. UNION (not UNION ALL) ends the recursion
-- even if a cycle slipped into parent_role_id; the role itself is never its own subordinate.
CREATE FUNCTION role_descendants(manager_role uuid) RETURNS SETOF uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    WITH RECURSIVE below(id) AS (
      SELECT r.id FROM roles r WHERE r.parent_role_id = manager_role
      UNION
      SELECT r.id FROM roles r JOIN below b ON r.parent_role_id = b.id
    )
    SELECT id FROM below WHERE id IS DISTINCT FROM manager_role
  $$;

-- Whether `role` is strictly below `manager_role` (for the access explanation).
CREATE FUNCTION role_is_ancestor(manager_role uuid, role uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT role IS NOT NULL AND role IN (SELECT role_descendants(manager_role)) $$;

GRANT EXECUTE ON FUNCTION role_descendants(uuid), role_is_ancestor(uuid, uuid) TO rapport_app;
