-- Sales reports (issue 4, phase 2; docs/sales.md#reports): indexes for the statements in
-- src/modules/sales/reports/reports-sql.ts, each carrying the columns its statement reads so that
-- the reports are index-only scans (no heap visit per deal). Indexes only; no table changes.

-- Open deals (an open stage has no closedAt), by close date: the forecast's open figures (a range
-- of close dates) and the pipeline summary's deals now in each open stage (the tenant's open
-- deals, filtered by pipeline). Partial: open deals are the few recent ones.
CREATE INDEX opportunities_open ON opportunities (tenant_id, close_date)
  INCLUDE (pipeline_id, stage_id, owner_id, amount, currency, probability, forecast_category, deleted_at, id)
  WHERE closed_at IS NULL;

-- Closed deals by closedAt: the forecast's won figures and the pipeline summary's deals closed in
-- its window (won, lost, sales cycle).
CREATE INDEX opportunities_closed ON opportunities (tenant_id, closed_at)
  INCLUDE (pipeline_id, stage_id, owner_id, amount, currency, created_at, deleted_at, id)
  WHERE closed_at IS NOT NULL;

-- The stage history by time: the pipeline summary reads every entry from its window's start on
-- (entries into a stage, stays that ended, and what each deal reached later) in one range.
CREATE INDEX opportunity_stage_history_changed ON opportunity_stage_history (tenant_id, changed_at)
  INCLUDE (opportunity_id, from_stage_id, to_stage_id, seconds_in_from_stage);
