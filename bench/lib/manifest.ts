/**
 * What the generator (bench/seed.ts) leaves in the bench database for the runner (bench/run.ts):
 * one row in `bench.manifest`, plus `bench.ids` (n → contact id) for the raw-Postgres scripts.
 * Everything here is deterministic for a given size: the same seed gives the same ids.
 */
export type BenchSize = 'tiny' | 'small' | 'full';

export interface BenchUser {
  email: string;
  password: string;
  userId: string;
  /** the role's name (built-in salesRep) and whether a field policy applies to it */
  role: string;
}

export interface BenchTenant {
  id: string;
  name: string;
  contacts: number;
  accounts: number;
  activities: number;
  /** sales rows (issue 4): opportunities (each with 1–4 stage-history rows) and leads */
  opportunities: number;
  leads: number;
  /** service rows (issue 5): cases (one in five answered ones with a comment) and knowledge articles */
  cases: number;
  articles: number;
}

export interface BenchManifest {
  /** generator version: a manifest from another version makes the runner re-seed */
  version: number;
  size: BenchSize;
  seed: number;
  tenants: BenchTenant[];
  /** the tenant the scenarios run in: the largest one (half the rows at full size) */
  tenantId: string;
  /** a sales rep (built-in salesRep role with a field policy on contacts and accounts) */
  user: BenchUser;
  /** an API key of the same rep, `rpk_…`, shown once at creation */
  apiKey: string;
  /** accounts of the measured tenant holding exactly TIMELINE_ACTIVITIES activities each */
  timelineAccountIds: string[];
  /** values the list scenario filters on, chosen to match ~3% of the tenant's contacts (≥ 10,050 at full size, for the deep page) */
  listFilter: { lifecycleStage: string; industry: string };
  /** how many of the measured tenant's contacts the list filter matches (added by the generator) */
  listFilterMatches?: number;
  /** a word of the `q` scenario (a surname present in the measured tenant) */
  searchTerm: string;
  /** how many of the measured tenant's contacts have searchTerm as last name (added by the generator) */
  searchMatches?: number;
  /** how many rows `bench.ids` holds for the measured tenant (contact ids, n = 1..idCount) */
  idCount: number;
  /** the measured tenant's first pipeline ("New business"): the pipeline-summary scenario's */
  pipelineId: string;
  /** the forecast scenario's period: the quarter holding the data's "now", with open and won deals */
  forecastPeriod: string;
  /** the pipeline-summary scenario's window: the month before the data's last one (build-sales.ts summaryMonth) */
  summaryWindow: { from: string; to: string };
  /** the context scenario's cases: measured-tenant cases with a contact and an account, random order */
  contextCaseIds: string[];
  /** the first of them with its links and subject (the raw side of the context scenario) */
  contextCase: { id: string; contactId: string; accountId: string; subject: string } | null;
  /** the service-metrics scenario's window: the data's last month (build-service.ts metricsMonth) */
  metricsWindow: { from: string; to: string };
  /** seconds the generation took, per phase */
  timings: Record<string, number>;
  generatedAt: string;
}

export const MANIFEST_VERSION = 4;
export const TIMELINE_ACTIVITIES = 500;
