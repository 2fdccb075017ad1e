-- Governance I: roles (with a hierarchy), role membership of users, and teams.
-- Permissions are `<object>:<action>` strings plus admin permissions, held as a text[] on the
-- role; a user has one role. Same tenant rules as 0001: tenant_id leads every key, RLS forced.

CREATE TABLE roles (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text,
  -- the manager role above this one: its holders see and edit this role's records
  parent_role_id uuid,
  permissions text[] NOT NULL DEFAULT '{}',
  -- built-in roles made for every tenant: admin, salesManager, salesRep, supportAgent, marketing, readOnly
  builtin_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, builtin_key),
  FOREIGN KEY (tenant_id, parent_role_id) REFERENCES roles (tenant_id, id),
  CHECK (parent_role_id IS DISTINCT FROM id)
);
CREATE INDEX roles_parent ON roles (tenant_id, parent_role_id) WHERE parent_role_id IS NOT NULL;

ALTER TABLE users ADD COLUMN role_id uuid;
ALTER TABLE users ADD FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id);
CREATE INDEX users_role ON users (tenant_id, role_id);

CREATE TABLE teams (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE team_members (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  team_id uuid NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, team_id, user_id),
  FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['roles', 'teams', 'team_members'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;
