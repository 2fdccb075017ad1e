-- Service, SLA (issue 5; docs/service.md#business-hours, #sla-policies): business-hours calendars
-- and the ordered SLA policies that give a case its first-response and resolution targets in
-- business time. Cases (0010) point at the policy that matched them.
-- Same tenant rules as 0001: tenant_id leads every primary and foreign key, RLS is enabled and
-- forced with the tenant_isolation policy, and rapport_app gets only what the service needs.

-- Business calendars ---------------------------------------------------------------------------
-- weekly_hours: {"mon": [{"start": "09:00", "end": "17:00"}], ..., "sun": []} in the calendar's
-- IANA time zone (an interval whose end <= start runs overnight into the next day); holidays: a
-- JSON array of local dates 'YYYY-MM-DD'. Both are validated by the service (business-time.ts).
-- At most one live default calendar per tenant: it serves policies without a calendar.
CREATE TABLE business_calendars (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text,
  time_zone text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 100),
  weekly_hours jsonb NOT NULL CHECK (jsonb_typeof(weekly_hours) = 'object'),
  holidays jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(holidays) = 'array'),
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX business_calendars_default ON business_calendars (tenant_id)
  WHERE is_default AND deleted_at IS NULL;
CREATE INDEX business_calendars_created ON business_calendars (tenant_id, created_at, id);
CREATE INDEX business_calendars_name ON business_calendars (tenant_id, name, id);

-- SLA policies ---------------------------------------------------------------------------------
-- A tenant's ordered policies; the first active one whose condition (the query language's JSON
-- AST or filter string over the `cases` object, null = every case) matches a case gives its
-- targets, in business minutes of calendar_id (null: the tenant's default calendar, else 24/7
-- UTC). `position` orders the live policies 1..n; the service keeps it dense under a lock.
-- Escalation: when a target is breached the escalation job may raise the case's priority, move it
-- to a queue (escalate_queue_id; its FK to queues is added with the queues table in 0010) and
-- reassign it; warn_before_minutes marks a case as approaching a breach that many business
-- minutes before its due time.
CREATE TABLE sla_policies (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text,
  position integer NOT NULL CHECK (position >= 1),
  condition jsonb,
  calendar_id uuid,
  first_response_minutes integer CHECK (first_response_minutes > 0),
  resolution_minutes integer CHECK (resolution_minutes > 0),
  pause_on_pending boolean NOT NULL DEFAULT true,
  pause_on_hold boolean NOT NULL DEFAULT true,
  active boolean NOT NULL DEFAULT true,
  escalate_priority_to text CHECK (escalate_priority_to IN ('low', 'normal', 'high', 'urgent')),
  escalate_queue_id uuid,
  escalate_assignee_id uuid,
  warn_before_minutes integer CHECK (warn_before_minutes > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, calendar_id) REFERENCES business_calendars (tenant_id, id),
  FOREIGN KEY (tenant_id, escalate_assignee_id) REFERENCES users (tenant_id, id),
  -- a policy sets at least one target
  CHECK (first_response_minutes IS NOT NULL OR resolution_minutes IS NOT NULL)
);
CREATE INDEX sla_policies_order ON sla_policies (tenant_id, position) WHERE deleted_at IS NULL;
CREATE INDEX sla_policies_calendar ON sla_policies (tenant_id, calendar_id) WHERE calendar_id IS NOT NULL;

-- Row-level security and grants --------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['business_calendars', 'sla_policies'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO rapport_app', t);
  END LOOP;
END $$;
