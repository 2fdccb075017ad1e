-- Governance I: the audit trail (DESIGN §8, docs/audit.md).
--
-- audit_events is append-only for the app role: rapport_app holds SELECT and INSERT only, so an
-- UPDATE, DELETE or TRUNCATE through the service fails with "permission denied"; a trigger also
-- refuses UPDATE/DELETE/TRUNCATE for every other login (the owner included), so changing a row
-- takes a superuser switching triggers off.
--
-- Tamper evidence: striped hash chains. Each tenant has up to 8 chains ("stripes"); an event
-- joins one chain and gets the next seq of that chain and
--     hash = sha256_hex(prev_hash || '\n' || canonical JSON of the event)
-- where prev_hash is the hash of the chain's previous event (64 zeros for the first) and the
-- canonical JSON has sorted keys and covers every column except hash itself. The chain's head
-- (last seq and hash) lives in audit_chain_heads; a writer locks that one row (SELECT … FOR
-- UPDATE), so writers on the same stripe of a tenant queue for it until their transaction ends,
-- while writers on different stripes — different records, mostly — proceed in parallel. The
-- stripe is a hash of the record id (of the actor for events without a record), and a
-- transaction keeps the stripe it locked first for all its events, so it holds at most one head
-- lock and head locks cannot deadlock each other. One chain per tenant would serialise every
-- audited write of a tenant at commit; eight keep the cost to a 1-in-8 chance of queueing
-- behind a concurrent write of another record.
--
-- Verification (GET /v1/audit-events/verify, npm run audit:verify) walks every chain of a
-- tenant in seq order and checks: seq has no gap, prev_hash is the previous event's hash, the
-- hash recomputes, and the head matches the last event (so a deleted tail shows too). A row
-- altered, deleted or inserted by hand breaks one of these. A superuser who rewrites a whole
-- chain consistently is only caught against an external copy of the heads (docs/audit.md).

-- The head of each chain. RLS is enabled but NOT forced (like user_directory): rapport_app sees
-- its own tenant's heads only, while the owner login can list the tenants that have audit
-- events, which npm run audit:verify needs to walk every tenant without being a superuser.
CREATE TABLE audit_chain_heads (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  chain smallint NOT NULL CHECK (chain BETWEEN 0 AND 255),
  seq bigint NOT NULL CHECK (seq >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, chain)
);
ALTER TABLE audit_chain_heads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_chain_heads
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO rapport_app;

CREATE TABLE audit_events (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  -- UUIDv7, made by the app
  id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  -- who: the principal type and id ('system' for the service itself, 'anonymous' before sign-in)
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'apiKey', 'oauthClient', 'system', 'anonymous')),
  actor_id text NOT NULL,
  -- the user the actor acts for, and the OAuth client the token was issued to (no FK: the trail
  -- outlives users and clients)
  user_id uuid,
  client_id text,
  channel text NOT NULL CHECK (channel IN ('rest', 'graphql', 'bulk', 'system')),
  request_id text,
  -- what: the registry object name (account, contact, …) or a governance object (user, role, …)
  object text,
  record_id uuid,
  -- create, update, delete, restore, login, login_failed, token_granted, permission_change,
  -- denied, and what later modules add (merge, convert, export, …)
  action text NOT NULL CHECK (action ~ '^[a-z][a-z_]{0,39}$'),
  outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  -- field → {"before": …, "after": …} (API field names)
  changes jsonb,
  -- anything else worth keeping: version, grant type, scope, denial reason, operation
  details jsonb,
  -- Reserved for per-subject encryption (GDPR issue): personal values in `changes` will be
  -- encrypted with the data subject's key, named here; erasure destroys the key, the ciphertext
  -- stays, and since the hash covers the stored (encrypted) values the chain still verifies.
  subject_key_id uuid,
  -- the hash chain (see the top of this file)
  chain smallint NOT NULL CHECK (chain BETWEEN 0 AND 255),
  seq bigint NOT NULL CHECK (seq >= 1),
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, chain, seq)
);
-- The list's default order and time filters; record history; "what did this actor/client do".
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at, id);
CREATE INDEX audit_events_record ON audit_events (tenant_id, object, record_id, occurred_at, id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, occurred_at, id);
CREATE INDEX audit_events_client ON audit_events (tenant_id, client_id, occurred_at, id)
  WHERE client_id IS NOT NULL;

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
-- Append-only for the service: no UPDATE, DELETE or TRUNCATE.
REVOKE ALL ON audit_events FROM rapport_app;
GRANT SELECT, INSERT ON audit_events TO rapport_app;

-- And for everybody else short of a superuser disabling triggers.
CREATE FUNCTION audit_events_append_only() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
