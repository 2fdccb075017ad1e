import { RequestContext } from '../../platform/context/request-context.js';
import type { ImportFormat, ImportMode, ReferenceOption } from './import-plan.js';

/** Who started a job, kept so the job runs as them (re-checked as still active when it runs). */
export interface PrincipalSnapshot {
  type: RequestContext['principal']['type'];
  id: string;
  userId?: string;
  clientId?: string;
  isAdmin: boolean;
  roleId?: string;
  teamIds?: readonly string[];
  scopes: readonly string[] | null;
  permissions: string[];
}

export function snapshotOf(ctx: RequestContext): PrincipalSnapshot {
  const p = ctx.principal;
  return {
    type: p.type,
    id: p.id,
    userId: p.userId,
    clientId: p.clientId,
    isAdmin: p.isAdmin,
    roleId: p.roleId,
    teamIds: p.teamIds,
    scopes: ctx.scopes,
    permissions: [...ctx.permissions],
  };
}

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'partiallySucceeded' | 'failed' | 'cancelled';

export const FINISHED: readonly ImportStatus[] = ['succeeded', 'partiallySucceeded', 'failed', 'cancelled'];

export interface ImportJobRow {
  id: string;
  tenantId: string;
  object: string;
  mode: ImportMode;
  match: string;
  format: ImportFormat;
  options: {
    mapping?: Record<string, string>;
    references?: Record<string, ReferenceOption>;
    header?: string[] | null;
  };
  dryRun: boolean;
  status: ImportStatus;
  principal: PrincipalSnapshot;
  requestId: string | null;
  received: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  nextLine: number;
  bytes: string;
  cancelRequested: boolean;
  error: string | null;
  workMs: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const JOB_COLUMNS = `id, tenant_id AS "tenantId", object, mode, match, format, options, dry_run AS "dryRun",
  status, principal, request_id AS "requestId", received, processed, created, updated, unchanged, failed,
  next_line AS "nextLine", bytes::text AS bytes, cancel_requested AS "cancelRequested", error,
  work_ms::text AS "workMs", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

/** The job as the API shows it. */
export interface ImportJobView {
  id: string;
  object: string;
  mode: ImportMode;
  match: string;
  format: ImportFormat;
  dryRun: boolean;
  status: ImportStatus;
  counts: {
    received: number;
    processed: number;
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
  };
  progress: number;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function viewOf(j: ImportJobRow): ImportJobView {
  const workMs = Number(j.workMs);
  const rate = workMs > 0 && j.processed > 0 ? j.processed / (workMs / 1000) : null;
  const left = j.received - j.processed;
  const done = FINISHED.includes(j.status);
  return {
    id: j.id,
    object: j.object,
    mode: j.mode,
    match: j.match,
    format: j.format,
    dryRun: j.dryRun,
    status: j.status,
    counts: {
      received: j.received,
      processed: j.processed,
      created: j.created,
      updated: j.updated,
      unchanged: j.unchanged,
      failed: j.failed,
    },
    progress: j.received === 0 ? (done ? 100 : 0) : Math.floor((j.processed * 1000) / j.received) / 10,
    rowsPerSecond: rate === null ? null : Math.round(rate),
    etaSeconds: done ? 0 : rate === null ? null : Math.ceil(left / rate),
    error: j.error,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
  };
}
