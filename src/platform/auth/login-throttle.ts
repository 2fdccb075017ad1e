import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../config/config.js';
import { TenantDb } from '../database/tenant-db.js';
import { DomainError } from '../http/domain-error.js';
import { Clock } from './clock.js';

/** A sign-in refused because of recent failures; the token endpoint answers 429 with Retry-After. */
export class LoginThrottledError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'RATE_LIMITED',
      `Too many failed sign-in attempts. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    );
  }
}

/** An admitted attempt; hand it back to succeeded() when the password was right. */
export interface LoginAttempt {
  readonly emailBucket: string;
  readonly ipBucket: string | null;
}

interface Bucket {
  key: string;
  threshold: number;
}

interface Row {
  bucket: string;
  failures: number;
  last_failure_at: Date;
}

/** Old rows are swept at most this often per process. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Failed-login throttling for the password grant, per email address and per client IP, with
 * exponential backoff and no permanent lockout:
 *
 * - every attempt is counted as a failure *before* the password is checked, so a burst of
 *   parallel guesses cannot all slip through before the first one is counted; a success undoes
 *   its count (and clears the email's failures entirely, but not the IP's: one known account
 *   must not reset a guessing run across other emails);
 * - once a bucket holds `threshold` failures, the next attempt must wait
 *   `delay · 2^(failures − threshold)` after the last failure, capped at the window; meanwhile
 *   attempts are refused with 429 and Retry-After, without checking the password and without
 *   counting;
 * - failures are forgotten one window after the last one.
 *
 * State is in Postgres (`login_failures`), so every replica sees the same counts. Buckets are
 * SHA-256 hashes (no tenant data, no readable email or IP address): the table has no RLS.
 * Unknown emails are counted like known ones, so the throttle reveals nothing about accounts.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger('auth.throttle');
  private lastSweep = 0;

  constructor(
    private readonly db: TenantDb,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Counts the attempt, or throws LoginThrottledError when the email or the IP must wait. */
  async admit(email: string, ip: string | undefined): Promise<LoginAttempt> {
    const emailBucket = bucketOf('email', email.trim().toLowerCase());
    const ipBucket = ip ? bucketOf('ip', ip) : null;
    const buckets: Bucket[] = [{ key: emailBucket, threshold: this.config.LOGIN_THROTTLE_EMAIL_FAILURES }];
    if (ipBucket) buckets.push({ key: ipBucket, threshold: this.config.LOGIN_THROTTLE_IP_FAILURES });
    const now = this.clock.now();
    const windowMs = this.config.LOGIN_THROTTLE_WINDOW_SECONDS * 1000;
    const ordered = buckets.map((b) => b.key).sort();
    const wait = await this.db.runWithoutTenant(async (em) => {
      // Every bucket row exists before it is read FOR UPDATE, so that concurrent attempts queue on
      // the row lock even for a first failure, and each sees the count of the ones before it.
      for (const key of ordered) {
        await em.query(
          `INSERT INTO login_failures (bucket, failures, last_failure_at) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`,
          [key, new Date(now)],
        );
      }
      const rows: Row[] = await em.query(
        `SELECT bucket, failures, last_failure_at FROM login_failures WHERE bucket = ANY($1) ORDER BY bucket FOR UPDATE`,
        [buckets.map((b) => b.key)],
      );
      let waitMs = 0;
      for (const row of rows) {
        const threshold = buckets.find((b) => b.key === row.bucket)?.threshold ?? Infinity;
        waitMs = Math.max(waitMs, this.remainingWait(row, threshold, now));
      }
      if (waitMs > 0) return waitMs;
      await em.query(
        `UPDATE login_failures SET
           failures = CASE WHEN last_failure_at <= $3 THEN 1 ELSE failures + 1 END,
           last_failure_at = $2
         WHERE bucket = ANY($1)`,
        [ordered, new Date(now), new Date(now - windowMs)],
      );
      return 0;
    });
    if (wait > 0) throw new LoginThrottledError(Math.ceil(wait / 1000));
    await this.sweep(now, windowMs);
    return { emailBucket, ipBucket };
  }

  /** The password was right: forget the email's failures and take back this attempt's IP count. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.db.runWithoutTenant(async (em) => {
      await em.query('DELETE FROM login_failures WHERE bucket = $1', [attempt.emailBucket]);
      if (attempt.ipBucket) {
        await em.query('UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE bucket = $1', [
          attempt.ipBucket,
        ]);
      }
    });
  }

  /** How long (ms) a bucket must still wait before its next attempt; 0 when it may go ahead. */
  private remainingWait(row: Row, threshold: number, now: number): number {
    const windowMs = this.config.LOGIN_THROTTLE_WINDOW_SECONDS * 1000;
    const last = row.last_failure_at.getTime();
    if (now - last >= windowMs || row.failures < threshold) return 0;
    const backoff = this.config.LOGIN_THROTTLE_DELAY_SECONDS * 1000 * 2 ** (row.failures - threshold);
    return Math.max(0, last + Math.min(backoff, windowMs) - now);
  }

  /**
   * Deletes rows a window past their last failure, in a transaction of its own that skips rows
   * other attempts hold, so it can neither deadlock with them nor fail a sign-in.
   */
  private async sweep(now: number, windowMs: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    try {
      await this.db.runWithoutTenant((em) =>
        em.query(
          `DELETE FROM login_failures WHERE bucket IN (
             SELECT bucket FROM login_failures WHERE last_failure_at <= $1 LIMIT 1000 FOR UPDATE SKIP LOCKED)`,
          [new Date(now - windowMs)],
        ),
      );
    } catch (e) {
      this.logger.warn(`login_failures sweep failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function bucketOf(kind: 'email' | 'ip', value: string): string {
  return createHash('sha256').update(`${kind}:${value}`).digest('base64url');
}
