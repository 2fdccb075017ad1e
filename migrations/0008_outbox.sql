-- The transactional outbox (DESIGN §9): every write that others may want to hear about inserts an
-- event row in the same transaction as the write and its audit event, so an event exists exactly
-- when the write committed. Consumers (webhooks, the change feed) read it in `seq` order.
--
-- Payloads carry ids, the names of changed fields and non-sensitive facts — never field values:
-- a consumer reads the record afresh under its own record- and field-level policy.

CREATE TABLE outbox_events (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  -- UUIDv7, made by the app (or by the database for set-based bulk writes)
  id uuid NOT NULL,
  -- delivery order within the database; identity, so concurrent writers never collide
  seq bigint GENERATED ALWAYS AS IDENTITY,
  -- '<object>.<event>' e.g. 'contacts.created', 'cases.sla_breached'
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9-]*\.[a-z][a-z_]{0,39}$'),
  object text NOT NULL,
  record_id uuid,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- the request or job that caused it (joins with audit_events.request_id)
  request_id text,
  -- 'rest', 'graphql', 'bulk', 'system'
  channel text NOT NULL CHECK (channel IN ('rest', 'graphql', 'bulk', 'system')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE INDEX outbox_events_seq ON outbox_events (tenant_id, seq);
CREATE INDEX outbox_events_record ON outbox_events (tenant_id, object, record_id);

ALTER TABLE outbox_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox_events
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
-- Events are facts: the service appends and reads them, never rewrites them.
GRANT SELECT, INSERT ON outbox_events TO rapport_app;

-- UUIDv7 in SQL for set-based writers (bulk imports insert thousands of events per statement).
-- RFC 9562 layout: 48-bit Unix ms, version 7, 12 random bits, variant 10, 62 random bits.
CREATE FUNCTION uuid_v7() RETURNS uuid
  LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
  SELECT encode(
    set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
      PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
      FROM 1 FOR 6), 52, 1), 53, 1),
    'hex')::uuid
$$;
GRANT EXECUTE ON FUNCTION uuid_v7() TO rapport_app;
