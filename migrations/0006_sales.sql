-- Sales, phase 1 (issue 4): pipelines and their ordered stages, opportunities with stage history,
-- contact roles and line items, products, leads with conversion, lead queues and lead assignment
-- rules; activities link to leads and opportunities.
-- Same tenant rules as 0001: tenant_id leads every primary and foreign key, RLS is enabled and
-- forced with the tenant_isolation policy, and rapport_app gets only what the service needs.
-- Indexes are chosen for the reports phase 2 builds in SQL: forecast by close date, pipeline
-- summary by (pipeline, stage), stage durations and conversion rates from the stage history,
-- lead conversion rate by creation and conversion time.

-- Pipelines and stages -----------------------------------------------------------------------
CREATE TABLE pipelines (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX pipelines_created ON pipelines (tenant_id, created_at, id);

-- Stages are soft-deleted (stage history keeps pointing at them). `position` orders the live
-- stages of a pipeline 1..n; the service keeps it dense under a lock on the pipeline row.
CREATE TABLE pipeline_stages (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  pipeline_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  position integer NOT NULL CHECK (position >= 1),
  probability integer NOT NULL CHECK (probability BETWEEN 0 AND 100),
  category text NOT NULL CHECK (category IN ('open', 'won', 'lost')),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  -- the target of opportunities' (pipeline, stage) key: a stage of another pipeline cannot be set
  UNIQUE (tenant_id, pipeline_id, id),
  FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id)
);
CREATE INDEX pipeline_stages_order ON pipeline_stages (tenant_id, pipeline_id, position) WHERE deleted_at IS NULL;

-- Lead queues ----------------------------------------------------------------------------------
-- Minimal: a named bucket an assignment rule can route leads to (lead.queue_id). Members and
-- queue routing come with the service module's queues.
CREATE TABLE lead_queues (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_queues_name ON lead_queues (tenant_id, name, id);

-- Lead assignment rules ------------------------------------------------------------------------
-- A tenant's ordered rules; the first whose condition (the query language's JSON AST or filter
-- string, null = every lead) matches a new lead assigns it to a user, round-robin over a team's
-- active members, or to a queue. last_assigned_user_id is the round-robin state, advanced under
-- a row lock on the rule so that concurrent creates take turns. Deleting a team deletes the rules
-- that route to it.
CREATE TABLE lead_assignment_rules (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  position integer NOT NULL CHECK (position >= 1),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  condition jsonb,
  assignee_type text NOT NULL CHECK (assignee_type IN ('user', 'team', 'queue')),
  user_id uuid,
  team_id uuid,
  queue_id uuid,
  active boolean NOT NULL DEFAULT true,
  last_assigned_user_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, queue_id) REFERENCES lead_queues (tenant_id, id),
  FOREIGN KEY (tenant_id, last_assigned_user_id) REFERENCES users (tenant_id, id),
  CHECK ((assignee_type = 'user') = (user_id IS NOT NULL)),
  CHECK ((assignee_type = 'team') = (team_id IS NOT NULL)),
  CHECK ((assignee_type = 'queue') = (queue_id IS NOT NULL))
);
CREATE INDEX lead_assignment_rules_order ON lead_assignment_rules (tenant_id, position);

-- Leads ----------------------------------------------------------------------------------------
CREATE TABLE leads (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  first_name text,
  last_name text NOT NULL,
  email text,
  phone text,
  title text,
  company text,
  website text,
  industry text,
  employees integer CHECK (employees >= 0),
  address jsonb,
  source text,
  status text NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'working', 'nurturing', 'qualified', 'unqualified', 'converted')),
  rating text CHECK (rating IN ('hot', 'warm', 'cold')),
  score integer CHECK (score BETWEEN 0 AND 100),
  owner_id uuid,
  queue_id uuid,
  assignment_rule_id uuid,
  converted_account_id uuid,
  converted_contact_id uuid,
  converted_opportunity_id uuid,
  converted_at timestamptz,
  converted_by uuid,
  external_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(company, ''))
  ) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES lead_queues (tenant_id, id),
  FOREIGN KEY (tenant_id, assignment_rule_id) REFERENCES lead_assignment_rules (tenant_id, id)
    ON DELETE SET NULL (assignment_rule_id),
  FOREIGN KEY (tenant_id, converted_account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, converted_contact_id) REFERENCES contacts (tenant_id, id),
  FOREIGN KEY (tenant_id, converted_by) REFERENCES users (tenant_id, id),
  -- a converted lead says when it was converted, and only a converted one does
  CHECK ((status = 'converted') = (converted_at IS NOT NULL))
);
CREATE UNIQUE INDEX leads_external_id ON leads (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX leads_created ON leads (tenant_id, created_at, id);
CREATE INDEX leads_owner ON leads (tenant_id, owner_id);
CREATE INDEX leads_status ON leads (tenant_id, status);
CREATE INDEX leads_email ON leads (tenant_id, email);
CREATE INDEX leads_converted ON leads (tenant_id, converted_at) WHERE converted_at IS NOT NULL;
CREATE INDEX leads_queue ON leads (tenant_id, queue_id) WHERE queue_id IS NOT NULL;
CREATE INDEX leads_search ON leads USING gin (search);

-- Opportunities ----------------------------------------------------------------------------------
CREATE TABLE opportunities (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL,
  account_id uuid,
  primary_contact_id uuid,
  pipeline_id uuid NOT NULL,
  stage_id uuid NOT NULL,
  amount numeric(20, 2),
  currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
  close_date timestamptz,
  probability integer NOT NULL CHECK (probability BETWEEN 0 AND 100),
  forecast_category text NOT NULL CHECK (forecast_category IN ('pipeline', 'bestCase', 'commit', 'closed', 'omitted')),
  owner_id uuid,
  next_step text,
  loss_reason text,
  source text,
  closed_at timestamptz,
  external_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(next_step, ''))
  ) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, primary_contact_id) REFERENCES contacts (tenant_id, id),
  FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id),
  FOREIGN KEY (tenant_id, stage_id) REFERENCES pipeline_stages (tenant_id, id),
  -- the stage belongs to the opportunity's pipeline
  FOREIGN KEY (tenant_id, pipeline_id, stage_id) REFERENCES pipeline_stages (tenant_id, pipeline_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
  CHECK ((amount IS NULL) OR (currency IS NOT NULL))
);
CREATE UNIQUE INDEX opportunities_external_id ON opportunities (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX opportunities_created ON opportunities (tenant_id, created_at, id);
CREATE INDEX opportunities_close_date ON opportunities (tenant_id, close_date);
CREATE INDEX opportunities_pipeline_stage ON opportunities (tenant_id, pipeline_id, stage_id);
CREATE INDEX opportunities_stage ON opportunities (tenant_id, stage_id);
CREATE INDEX opportunities_account ON opportunities (tenant_id, account_id);
CREATE INDEX opportunities_contact ON opportunities (tenant_id, primary_contact_id) WHERE primary_contact_id IS NOT NULL;
CREATE INDEX opportunities_owner ON opportunities (tenant_id, owner_id);
CREATE INDEX opportunities_search ON opportunities USING gin (search);

ALTER TABLE leads ADD FOREIGN KEY (tenant_id, converted_opportunity_id) REFERENCES opportunities (tenant_id, id);

-- Every stage an opportunity entered, the first one included, with when, who, and how long it
-- had been in the stage it left. Append-only for the service.
CREATE TABLE opportunity_stage_history (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  from_stage_id uuid,
  to_stage_id uuid NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- the acting user (null: an OAuth client or the system; the audit trail names every actor)
  changed_by uuid,
  seconds_in_from_stage double precision CHECK (seconds_in_from_stage >= 0),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id),
  FOREIGN KEY (tenant_id, from_stage_id) REFERENCES pipeline_stages (tenant_id, id),
  FOREIGN KEY (tenant_id, to_stage_id) REFERENCES pipeline_stages (tenant_id, id),
  FOREIGN KEY (tenant_id, changed_by) REFERENCES users (tenant_id, id),
  CHECK ((from_stage_id IS NULL) = (seconds_in_from_stage IS NULL))
);
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (tenant_id, opportunity_id, changed_at, id);
CREATE INDEX opportunity_stage_history_to_stage ON opportunity_stage_history (tenant_id, to_stage_id, changed_at);

-- The people involved in a deal and their part in it; one role per contact and opportunity.
-- Which one is primary is the opportunity's primary_contact_id (one source of truth).
CREATE TABLE opportunity_contact_roles (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  role text NOT NULL
    CHECK (role IN ('decisionMaker', 'champion', 'influencer', 'evaluator', 'economicBuyer', 'user', 'other')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, opportunity_id, contact_id),
  FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id)
);
CREATE INDEX opportunity_contact_roles_contact ON opportunity_contact_roles (tenant_id, contact_id);

-- Products and line items ---------------------------------------------------------------------
CREATE TABLE products (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  sku text NOT NULL CHECK (length(sku) BETWEEN 1 AND 100),
  name text NOT NULL,
  description text,
  unit_price numeric(20, 2) NOT NULL CHECK (unit_price >= 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(sku, '') || ' ' || coalesce(name, ''))
  ) STORED,
  PRIMARY KEY (tenant_id, id)
);
-- unique among deleted products too, so that a restore cannot collide
CREATE UNIQUE INDEX products_sku ON products (tenant_id, sku);
CREATE INDEX products_created ON products (tenant_id, created_at, id);
CREATE INDEX products_name ON products (tenant_id, name, id);
CREATE INDEX products_search ON products USING gin (search);

-- A line's total is computed by the database; the opportunity's amount is the sum of its lines'
-- totals, recomputed by the service in the transaction that changes a line.
CREATE TABLE opportunity_line_items (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  product_id uuid NOT NULL,
  quantity numeric(18, 4) NOT NULL CHECK (quantity > 0),
  unit_price numeric(20, 2) NOT NULL CHECK (unit_price >= 0),
  discount_percent numeric(5, 2) NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
  total numeric(20, 2) NOT NULL GENERATED ALWAYS AS (round(quantity * unit_price * (100 - discount_percent) / 100, 2)) STORED,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id),
  FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX opportunity_line_items_opportunity ON opportunity_line_items (tenant_id, opportunity_id, id);
CREATE INDEX opportunity_line_items_product ON opportunity_line_items (tenant_id, product_id);

-- Activities link to leads and opportunities -------------------------------------------------
ALTER TABLE activities ADD COLUMN lead_id uuid;
ALTER TABLE activities ADD COLUMN opportunity_id uuid;
ALTER TABLE activities ADD FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id);
ALTER TABLE activities ADD FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id);
CREATE INDEX activities_lead_timeline ON activities (tenant_id, lead_id, occurred_at DESC, id DESC) WHERE lead_id IS NOT NULL;
CREATE INDEX activities_opportunity_timeline ON activities (tenant_id, opportunity_id, occurred_at DESC, id DESC) WHERE opportunity_id IS NOT NULL;

-- Row-level security and grants --------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pipelines', 'pipeline_stages', 'lead_queues', 'lead_assignment_rules', 'leads',
                           'opportunities', 'opportunity_stage_history', 'opportunity_contact_roles',
                           'products', 'opportunity_line_items'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['pipelines', 'pipeline_stages', 'lead_queues', 'lead_assignment_rules', 'leads',
                           'opportunities', 'opportunity_contact_roles', 'products', 'opportunity_line_items'] LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON opportunity_stage_history TO rapport_app;
