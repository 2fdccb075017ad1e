-- Service, cases (issue 5; docs/service.md#cases): case queues with members, case assignment rules,
-- cases with their per-tenant number, SLA clock and CSAT, comments, the reassignment history and
-- the escalation log that makes each escalation happen exactly once.
-- Same tenant rules as 0001: tenant_id leads every primary and foreign key, RLS is enabled and
-- forced with the tenant_isolation policy (case_counters excepted, see there), and rapport_app
-- gets only what the service needs.

-- Queues ---------------------------------------------------------------------------------------
CREATE TABLE case_queues (
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
CREATE INDEX case_queues_name ON case_queues (tenant_id, name, id);
CREATE INDEX case_queues_created ON case_queues (tenant_id, created_at, id);

-- The agents working a queue. Round-robin gives the next case to the active member assigned
-- longest ago (never assigned first, then position, then user id), under a lock on the queue row,
-- so concurrent creates take turns and every rule routing into the queue shares one rotation.
CREATE TABLE case_queue_members (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  queue_id uuid NOT NULL,
  user_id uuid NOT NULL,
  active boolean NOT NULL DEFAULT true,
  position integer NOT NULL DEFAULT 1 CHECK (position >= 1),
  last_assigned_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, queue_id, user_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES case_queues (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX case_queue_members_user ON case_queue_members (tenant_id, user_id);

-- Assignment rules ------------------------------------------------------------------------------
-- A tenant's ordered rules; the first active one whose condition (the query language's JSON AST
-- over `cases`, null = every case) matches a case routes it to queue_id, and then round-robin
-- among the queue's active members or to the fixed assignee_id.
CREATE TABLE case_assignment_rules (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  position integer NOT NULL CHECK (position >= 1),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  condition jsonb,
  queue_id uuid,
  strategy text NOT NULL CHECK (strategy IN ('roundRobin', 'fixed')),
  assignee_id uuid,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES case_queues (tenant_id, id),
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
  CHECK ((strategy = 'fixed') = (assignee_id IS NOT NULL)),
  CHECK (strategy = 'fixed' OR queue_id IS NOT NULL)
);
CREATE INDEX case_assignment_rules_order ON case_assignment_rules (tenant_id, position);
CREATE INDEX case_assignment_rules_queue ON case_assignment_rules (tenant_id, queue_id) WHERE queue_id IS NOT NULL;
CREATE INDEX case_assignment_rules_assignee ON case_assignment_rules (tenant_id, assignee_id) WHERE assignee_id IS NOT NULL;

-- Case numbers ---------------------------------------------------------------------------------
-- One row per tenant that ever had a case; cases.number's default takes the next value under the
-- row's lock in the creating transaction, so numbers are gap-free (a rolled-back create gives its
-- number back) and concurrent creates get consecutive ones in commit order.
-- RLS is enabled but NOT forced (like user_directory): the owner reads across tenants, which the
-- SECURITY DEFINER functions below use to find the tenants the service jobs must visit.
CREATE TABLE case_counters (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
  last bigint NOT NULL CHECK (last >= 0)
);

CREATE FUNCTION next_case_number() RETURNS text
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE n bigint;
BEGIN
  INSERT INTO case_counters AS c (tenant_id, last) VALUES (app_tenant_id(), 1)
    ON CONFLICT (tenant_id) DO UPDATE SET last = c.last + 1
    RETURNING c.last INTO n;
  RETURN 'CS-' || CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END;
END $$;

-- Cases ----------------------------------------------------------------------------------------
-- The SLA clock (docs/service.md#sla-clock): the first-response clock runs from created_at; the
-- resolution clock accumulates business minutes in resolution_elapsed_minutes over the segments
-- it ran (resolution_clock_started_at = start of the running segment, null while paused or
-- stopped; paused_at = since when it is paused). Due dates are null while their clock does not
-- run. *_warn_at is when the case starts approaching a breach (the policy's warn_before_minutes,
-- in business time, before the due time; = the due time without a warning). The escalation scan
-- reads the partial indexes over open, not yet breached cases by *_warn_at.
CREATE TABLE cases (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  number text NOT NULL DEFAULT next_case_number(),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
  description text,
  status text NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'open', 'pending', 'onHold', 'solved', 'closed')),
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  channel text CHECK (channel IN ('email', 'phone', 'web', 'chat', 'social')),
  contact_id uuid,
  account_id uuid,
  queue_id uuid,
  assignee_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  external_id text,
  -- SLA
  sla_policy_id uuid,
  first_response_due_at timestamptz,
  first_response_warn_at timestamptz,
  resolution_due_at timestamptz,
  resolution_warn_at timestamptz,
  first_responded_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  first_response_breached boolean NOT NULL DEFAULT false,
  resolution_breached boolean NOT NULL DEFAULT false,
  resolution_elapsed_minutes numeric(14, 3) NOT NULL DEFAULT 0 CHECK (resolution_elapsed_minutes >= 0),
  resolution_clock_started_at timestamptz,
  paused_at timestamptz,
  business_first_response_minutes numeric(14, 3) CHECK (business_first_response_minutes >= 0),
  business_resolution_minutes numeric(14, 3) CHECK (business_resolution_minutes >= 0),
  -- CSAT
  csat_score smallint CHECK (csat_score BETWEEN 1 AND 5),
  csat_comment text,
  csat_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', number || ' ' || coalesce(subject, '') || ' ' || coalesce(description, ''))
  ) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES case_queues (tenant_id, id),
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, sla_policy_id) REFERENCES sla_policies (tenant_id, id),
  -- resolved_at / closed_at follow status; the service sets them in the transaction that
  -- changes the status (a statement-level CHECK would refuse the status write before them)
  CHECK ((csat_score IS NULL) = (csat_at IS NULL)),
  CHECK (resolution_clock_started_at IS NULL OR paused_at IS NULL)
);
CREATE UNIQUE INDEX cases_number ON cases (tenant_id, number);
CREATE UNIQUE INDEX cases_external_id ON cases (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX cases_created ON cases (tenant_id, created_at, id);
CREATE INDEX cases_status_priority ON cases (tenant_id, status, priority) WHERE deleted_at IS NULL;
CREATE INDEX cases_contact ON cases (tenant_id, contact_id, created_at DESC, id DESC) WHERE contact_id IS NOT NULL;
CREATE INDEX cases_account ON cases (tenant_id, account_id, created_at DESC, id DESC) WHERE account_id IS NOT NULL;
CREATE INDEX cases_queue ON cases (tenant_id, queue_id) WHERE queue_id IS NOT NULL;
CREATE INDEX cases_assignee ON cases (tenant_id, assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX cases_sla_policy ON cases (tenant_id, sla_policy_id) WHERE sla_policy_id IS NOT NULL;
CREATE INDEX cases_resolved ON cases (tenant_id, resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX cases_search ON cases USING gin (search);
-- the escalation scan: open cases whose first-response / resolution clock nears or passed its due time
CREATE INDEX cases_first_response_scan ON cases (tenant_id, first_response_warn_at)
  WHERE first_response_warn_at IS NOT NULL AND first_responded_at IS NULL AND NOT first_response_breached
    AND deleted_at IS NULL AND status NOT IN ('solved', 'closed');
CREATE INDEX cases_resolution_scan ON cases (tenant_id, resolution_warn_at)
  WHERE resolution_warn_at IS NOT NULL AND NOT resolution_breached
    AND deleted_at IS NULL AND status NOT IN ('solved', 'closed');
-- the auto-close job: solved cases by when they were solved
CREATE INDEX cases_solved ON cases (tenant_id, resolved_at) WHERE status = 'solved' AND deleted_at IS NULL;

-- Comments -------------------------------------------------------------------------------------
-- Immutable. author_id: the user who wrote it (null for an API client without a user, or when
-- written for the customer); author_contact_id: the contact it came from (e.g. a mail importer).
CREATE TABLE case_comments (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  case_id uuid NOT NULL,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
  is_public boolean NOT NULL DEFAULT false,
  author_id uuid,
  author_contact_id uuid,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, author_contact_id) REFERENCES contacts (tenant_id, id)
);
CREATE INDEX case_comments_case ON case_comments (tenant_id, case_id, created_at, id);
CREATE INDEX case_comments_author ON case_comments (tenant_id, author_id) WHERE author_id IS NOT NULL;
CREATE INDEX case_comments_contact ON case_comments (tenant_id, author_contact_id) WHERE author_contact_id IS NOT NULL;

-- Reassignment history (append-only) -------------------------------------------------------------
CREATE TABLE case_assignments (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  case_id uuid NOT NULL,
  from_queue_id uuid,
  to_queue_id uuid,
  from_assignee_id uuid,
  to_assignee_id uuid,
  rule_id uuid,
  reason text NOT NULL CHECK (reason IN ('rule', 'manual', 'queueRouting', 'escalation')),
  -- the acting user (null: an OAuth client or the system; the audit trail names every actor)
  actor_id uuid,
  assigned_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, from_queue_id) REFERENCES case_queues (tenant_id, id),
  FOREIGN KEY (tenant_id, to_queue_id) REFERENCES case_queues (tenant_id, id),
  FOREIGN KEY (tenant_id, from_assignee_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, to_assignee_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, rule_id) REFERENCES case_assignment_rules (tenant_id, id) ON DELETE SET NULL (rule_id),
  FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX case_assignments_case ON case_assignments (tenant_id, case_id, assigned_at, id);
CREATE INDEX case_assignments_from_queue ON case_assignments (tenant_id, from_queue_id) WHERE from_queue_id IS NOT NULL;
CREATE INDEX case_assignments_to_queue ON case_assignments (tenant_id, to_queue_id) WHERE to_queue_id IS NOT NULL;
CREATE INDEX case_assignments_from_assignee ON case_assignments (tenant_id, from_assignee_id) WHERE from_assignee_id IS NOT NULL;
CREATE INDEX case_assignments_to_assignee ON case_assignments (tenant_id, to_assignee_id) WHERE to_assignee_id IS NOT NULL;
CREATE INDEX case_assignments_rule ON case_assignments (tenant_id, rule_id) WHERE rule_id IS NOT NULL;
CREATE INDEX case_assignments_actor ON case_assignments (tenant_id, actor_id) WHERE actor_id IS NOT NULL;

-- Escalations (append-only) ----------------------------------------------------------------------
-- One row per (case, kind, due time): the unique key is what makes an escalation happen exactly
-- once, however often and on however many replicas the job runs (INSERT … ON CONFLICT DO NOTHING
-- RETURNING: only the inserter applies the actions). A due time moved by a priority change is a
-- new due time, which may escalate again.
CREATE TABLE case_escalations (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  case_id uuid NOT NULL,
  kind text NOT NULL
    CHECK (kind IN ('firstResponseWarning', 'firstResponseBreached', 'resolutionWarning', 'resolutionBreached')),
  due_at timestamptz NOT NULL,
  escalated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  sla_policy_id uuid,
  actions jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, case_id, kind, due_at),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, sla_policy_id) REFERENCES sla_policies (tenant_id, id)
);
CREATE INDEX case_escalations_policy ON case_escalations (tenant_id, sla_policy_id) WHERE sla_policy_id IS NOT NULL;
CREATE INDEX case_escalations_at ON case_escalations (tenant_id, escalated_at);

-- SLA policies escalate into a queue (0009 left this key for the queues table).
ALTER TABLE sla_policies
  ADD CONSTRAINT sla_policies_escalate_queue_fk FOREIGN KEY (tenant_id, escalate_queue_id) REFERENCES case_queues (tenant_id, id);
CREATE INDEX sla_policies_escalate_queue ON sla_policies (tenant_id, escalate_queue_id) WHERE escalate_queue_id IS NOT NULL;
CREATE INDEX sla_policies_escalate_assignee ON sla_policies (tenant_id, escalate_assignee_id) WHERE escalate_assignee_id IS NOT NULL;

-- Tenants the service jobs must visit ------------------------------------------------------------
-- Jobs run without a tenant; RLS hides every case from them. These answer "which tenants have
-- work", one tenant at a time under that tenant's own RLS (the loop sets app.tenant_id for each
-- EXISTS probe on the partial indexes above and restores it after), so nothing crosses tenants.
CREATE FUNCTION case_tenants_due_escalation(p_now timestamptz) RETURNS SETOF uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  t uuid;
  saved text := current_setting('app.tenant_id', true);
BEGIN
  FOR t IN SELECT c.tenant_id FROM case_counters c ORDER BY c.tenant_id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    IF EXISTS (SELECT 1 FROM cases k
                WHERE k.tenant_id = t AND k.first_response_warn_at <= p_now
                  AND k.first_response_warn_at IS NOT NULL AND k.first_responded_at IS NULL
                  AND NOT k.first_response_breached AND k.deleted_at IS NULL
                  AND k.status NOT IN ('solved', 'closed'))
       OR EXISTS (SELECT 1 FROM cases k
                   WHERE k.tenant_id = t AND k.resolution_warn_at <= p_now
                     AND k.resolution_warn_at IS NOT NULL AND NOT k.resolution_breached
                     AND k.deleted_at IS NULL AND k.status NOT IN ('solved', 'closed')) THEN
      RETURN NEXT t;
    END IF;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
END $$;

CREATE FUNCTION case_tenants_due_close(p_solved_before timestamptz) RETURNS SETOF uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  t uuid;
  saved text := current_setting('app.tenant_id', true);
BEGIN
  FOR t IN SELECT c.tenant_id FROM case_counters c ORDER BY c.tenant_id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    IF EXISTS (SELECT 1 FROM cases k
                WHERE k.tenant_id = t AND k.status = 'solved' AND k.deleted_at IS NULL
                  AND k.resolved_at <= p_solved_before) THEN
      RETURN NEXT t;
    END IF;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
END $$;

REVOKE ALL ON FUNCTION case_tenants_due_escalation(timestamptz), case_tenants_due_close(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION case_tenants_due_escalation(timestamptz), case_tenants_due_close(timestamptz) TO rapport_app;

-- Row-level security and grants --------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_queues', 'case_queue_members', 'case_assignment_rules', 'cases',
                           'case_comments', 'case_assignments', 'case_escalations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['case_queues', 'case_queue_members', 'case_assignment_rules', 'cases'] LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON case_comments, case_assignments, case_escalations TO rapport_app;
-- the escalating run records what it did on the row it inserted
GRANT UPDATE (actions) ON case_escalations TO rapport_app;

ALTER TABLE case_counters ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_counters USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON case_counters TO rapport_app;
