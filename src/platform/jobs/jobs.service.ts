import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { AppConfig } from '../config/config.js';

/** A kind of background job (a pg-boss queue) and the code that works it. */
export interface JobDefinition<T extends object = object> {
  /** queue name, `<module>.<job>` e.g. `service.sla-escalation` */
  name: string;
  /** works one job; a throw fails it and pg-boss retries it (retryLimit, with backoff) */
  handler: (data: T, job: { id: string }) => Promise<void>;
  /** cron expression (UTC): pg-boss sends one job per tick across all replicas */
  cron?: string;
  /** retries after a failure (default 3) */
  retryLimit?: number;
  /** a job still active after this long is failed and retried (default 15 minutes) */
  expireInSeconds?: number;
  /** jobs of this kind worked at once by this process (default 1) */
  concurrency?: number;
}

export interface SendOptions {
  /** at most one queued job with this key at a time */
  singletonKey?: string;
  startAfter?: Date | number;
}

const NAME_RE = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;

/**
 * pg-boss (jobs in the same PostgreSQL, schema `pgboss`), DESIGN §9. Modules `register` their job
 * kinds while the application is built; on bootstrap, when `JOBS_ENABLED`, this process starts
 * workers for every kind and the cron schedules. `send` works in every process (an API-only replica
 * enqueues; workers elsewhere pick the job up): pg-boss then starts lazily, without workers or
 * maintenance. Jobs survive restarts: a job that was active in a killed process expires and is
 * retried, and job code is written to resume from its own checkpoints (docs/decisions.md #20).
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('jobs');
  private readonly definitions = new Map<string, JobDefinition<object>>();
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;
  private readonly workers = new Map<string, string[]>();
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly databaseUrl: string,
  ) {}

  /** Whether this process works jobs (JOBS_ENABLED); when not, `send` still enqueues. */
  get enabled(): boolean {
    return this.config.JOBS_ENABLED;
  }

  register<T extends object>(definition: JobDefinition<T>): void {
    if (!NAME_RE.test(definition.name)) throw new Error(`job name ${definition.name} is not <module>.<job>`);
    if (this.definitions.has(definition.name)) throw new Error(`job ${definition.name} is registered twice`);
    this.definitions.set(definition.name, definition as unknown as JobDefinition<object>);
  }

  async send<T extends object>(name: string, data: T, options: SendOptions = {}): Promise<string | null> {
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`job ${name} is not registered`);
    const boss = await this.start();
    const id = await boss.send(name, data, {
      singletonKey: options.singletonKey,
      startAfter: options.startAfter,
      retryLimit: definition.retryLimit ?? 3,
      retryBackoff: true,
      expireInSeconds: definition.expireInSeconds ?? 15 * 60,
    });
    // A worker in this process picks it up now rather than at its next poll.
    for (const worker of this.workers.get(name) ?? []) boss.notifyWorker(worker);
    return id;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled || this.definitions.size === 0) return;
    const boss = await this.start();
    for (const def of this.definitions.values()) {
      const ids: string[] = [];
      for (let i = 0; i < (def.concurrency ?? 1); i++) {
        ids.push(
          await boss.work<object>(
            def.name,
            { batchSize: 1, pollingIntervalSeconds: this.config.JOBS_POLL_SECONDS },
            async ([job]) => {
              await def.handler(job.data, { id: job.id });
            },
          ),
        );
      }
      this.workers.set(def.name, ids);
      if (def.cron) await boss.schedule(def.name, def.cron, {}, { tz: 'UTC', retryLimit: 0 });
    }
    this.logger.log(`working ${this.definitions.size} job kinds: ${[...this.definitions.keys()].join(', ')}`);
  }

  /** Graceful: waits (up to JOBS_SHUTDOWN_TIMEOUT_MS) for running jobs, which finish their chunk. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const boss = this.boss ?? (await this.starting?.catch(() => undefined));
    if (!boss) return;
    await boss.stop({ graceful: true, wait: true, timeout: this.config.JOBS_SHUTDOWN_TIMEOUT_MS });
  }

  private start(): Promise<PgBoss> {
    if (this.stopped) return Promise.reject(new Error('jobs are stopped (the service is shutting down)'));
    this.starting ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.databaseUrl,
        schema: 'pgboss',
        application_name: 'rapport-jobs',
        max: this.config.JOBS_POOL_SIZE,
        // Workers, schedules and maintenance only where jobs are worked.
        supervise: this.enabled,
        schedule: this.enabled,
        migrate: true,
      });
      boss.on('error', (err) => this.logger.error(`pg-boss: ${err.message}`));
      await boss.start();
      for (const def of this.definitions.values()) {
        // createQueue is idempotent in effect, but it throws when the queue exists.
        if (!(await boss.getQueue(def.name))) {
          await boss.createQueue(def.name).catch(async (err: unknown) => {
            if (!(await boss.getQueue(def.name))) throw err;
          });
        }
      }
      this.boss = boss;
      return boss;
    })();
    return this.starting;
  }
}
