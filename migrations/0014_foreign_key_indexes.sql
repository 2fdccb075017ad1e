-- Indexes for the foreign keys that had none. Each serves two things: the lookups by that column
-- (a rep's activities, what a lead became, who changed a stage) and the foreign key check when the
-- referenced row is purged, which otherwise scans the whole referencing table under a lock.
-- Nullable references get partial indexes: most rows hold no value and need no entry.

CREATE INDEX activities_owner ON activities (tenant_id, owner_id) WHERE owner_id IS NOT NULL;

CREATE INDEX leads_converted_account ON leads (tenant_id, converted_account_id)
  WHERE converted_account_id IS NOT NULL;
CREATE INDEX leads_converted_contact ON leads (tenant_id, converted_contact_id)
  WHERE converted_contact_id IS NOT NULL;
CREATE INDEX leads_converted_opportunity ON leads (tenant_id, converted_opportunity_id)
  WHERE converted_opportunity_id IS NOT NULL;
CREATE INDEX leads_converted_by ON leads (tenant_id, converted_by) WHERE converted_by IS NOT NULL;
CREATE INDEX leads_assignment_rule ON leads (tenant_id, assignment_rule_id)
  WHERE assignment_rule_id IS NOT NULL;

CREATE INDEX opportunity_stage_history_changed_by ON opportunity_stage_history (tenant_id, changed_by)
  WHERE changed_by IS NOT NULL;
CREATE INDEX opportunity_stage_history_from_stage ON opportunity_stage_history (tenant_id, from_stage_id)
  WHERE from_stage_id IS NOT NULL;

CREATE INDEX refresh_tokens_user ON refresh_tokens (tenant_id, user_id);
CREATE INDEX user_directory_user ON user_directory (tenant_id, user_id);
