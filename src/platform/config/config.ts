import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : value === 'true' || value === '1'
      ? true
      : value === 'false' || value === '0'
        ? false
        : value;

/**
 * Every environment variable Rapport reads, with its default. The README's configuration table
 * mirrors this class; `loadConfig` refuses to start on a bad value and names the variable.
 */
export class AppConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  @Transform(toInt)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsBoolean()
  @Transform(toBool)
  RAPPORT_EMBEDDED_DATABASE = true;

  @IsInt()
  @Min(1)
  @Max(500)
  @Transform(toInt)
  DATABASE_POOL_SIZE = 10;

  @IsInt()
  @Min(100)
  @Max(3600000)
  @Transform(toInt)
  DATABASE_STATEMENT_TIMEOUT_MS = 30000;

  @IsString()
  RAPPORT_DATA_DIR = './.rapport';

  @IsInt()
  @Min(1024)
  @Max(65535)
  @Transform(toInt)
  EMBEDDED_PG_PORT = 54329;

  @IsString()
  @Matches(/^[^@\s]+@[^@\s]+$/, { message: 'RAPPORT_ADMIN_EMAIL must be an email address' })
  RAPPORT_ADMIN_EMAIL = 'admin@rapport.local';

  @IsOptional()
  @IsString()
  @Matches(/^.{12,}$/, { message: 'RAPPORT_ADMIN_PASSWORD must be at least 12 characters' })
  RAPPORT_ADMIN_PASSWORD?: string;

  @IsString()
  RAPPORT_DEFAULT_TENANT_NAME = 'Default';

  @IsString()
  JWT_ISSUER = 'http://localhost:3000';

  @IsString()
  JWT_AUDIENCE = 'rapport-api';

  @IsInt()
  @Min(60)
  @Max(86400)
  @Transform(toInt)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @IsInt()
  @Min(300)
  @Max(31536000)
  @Transform(toInt)
  REFRESH_TOKEN_TTL_SECONDS = 2592000;

  @IsInt()
  @Min(1)
  @Max(1000)
  @Transform(toInt)
  LOGIN_THROTTLE_EMAIL_FAILURES = 5;

  @IsInt()
  @Min(1)
  @Max(100000)
  @Transform(toInt)
  LOGIN_THROTTLE_IP_FAILURES = 50;

  @IsInt()
  @Min(1)
  @Max(86400)
  @Transform(toInt)
  LOGIN_THROTTLE_DELAY_SECONDS = 30;

  @IsInt()
  @Min(1)
  @Max(86400)
  @Transform(toInt)
  LOGIN_THROTTLE_WINDOW_SECONDS = 900;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Whether this process works background jobs (pg-boss); API-only replicas may turn it off. */
  @IsBoolean()
  @Transform(toBool)
  JOBS_ENABLED = true;

  @IsInt()
  @Min(1)
  @Max(50)
  @Transform(toInt)
  JOBS_POOL_SIZE = 4;

  @IsInt()
  @Min(1)
  @Max(300)
  @Transform(toInt)
  JOBS_POLL_SECONDS = 2;

  @IsInt()
  @Min(0)
  @Max(600000)
  @Transform(toInt)
  JOBS_SHUTDOWN_TIMEOUT_MS = 20000;

  /** Days a solved case stays solved before the auto-close job closes it (issue 5). */
  @IsInt()
  @Min(1)
  @Max(365)
  @Transform(toInt)
  SERVICE_AUTO_CLOSE_DAYS = 7;

  @IsBoolean()
  @Transform(toBool)
  TRUST_PROXY = false;

  @IsString()
  CORS_ORIGINS = '*';

  @IsBoolean()
  @Transform(toBool)
  GRAPHQL_INTROSPECTION = true;

  @IsInt()
  @Min(2)
  @Max(50)
  @Transform(toInt)
  GRAPHQL_MAX_DEPTH = 8;

  @IsInt()
  @Min(1)
  @Max(1000)
  @Transform(toInt)
  GRAPHQL_MAX_ALIASES = 30;

  @IsInt()
  @Min(100)
  @Max(1000000)
  @Transform(toInt)
  GRAPHQL_MAX_COST = 5000;

  @IsInt()
  @Min(0)
  @Max(120000)
  @Transform(toInt)
  SHUTDOWN_DRAIN_MS = 0;

  @IsInt()
  @Min(1024)
  @Max(104857600)
  @Transform(toInt)
  BODY_LIMIT_BYTES = 1048576;

  /** How long an Idempotency-Key and its stored response are kept (hours). */
  @IsInt()
  @Min(1)
  @Max(720)
  @Transform(toInt)
  IDEMPOTENCY_TTL_HOURS = 24;

  /** Largest import upload (bytes); a bigger one is refused with 413 while it streams. */
  @IsInt()
  @Min(1024)
  @Max(68719476736)
  @Transform(toInt)
  IMPORT_MAX_BYTES = 1073741824;

  /** Lines an import stages per chunk and processes per transaction (its checkpoint interval). */
  @IsInt()
  @Min(1)
  @Max(20000)
  @Transform(toInt)
  IMPORT_CHUNK_ROWS = 2000;

  /**
   * Chunks of one import job a worker processes at the same time, each in its own transaction:
   * while the database writes one, the worker prepares the next (chunks that share a match key
   * still apply in file order).
   */
  @IsInt()
  @Min(1)
  @Max(8)
  @Transform(toInt)
  IMPORT_CHUNKS_IN_FLIGHT = 2;

  /** Import jobs this process works at once. */
  @IsInt()
  @Min(1)
  @Max(32)
  @Transform(toInt)
  IMPORT_CONCURRENCY = 1;

  /** How often a worker looks for unfinished import jobs whose process died (seconds). */
  @IsInt()
  @Min(1)
  @Max(3600)
  @Transform(toInt)
  IMPORT_SWEEP_SECONDS = 15;

  /**
   * Days a finished import job (with its row errors, which hold the raw rows) and an export job
   * are kept; a daily job deletes older ones.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  @Transform(toInt)
  BULK_JOB_RETENTION_DAYS = 30;

  /** Rows an export reads per statement (keyset pages; memory stays constant). */
  @IsInt()
  @Min(100)
  @Max(20000)
  @Transform(toInt)
  EXPORT_CHUNK_ROWS = 2000;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(new AppConfig())) {
    const value = env[key];
    if (value !== undefined) raw[key] = value;
  }
  for (const key of ['DATABASE_URL', 'RAPPORT_ADMIN_PASSWORD']) {
    if (env[key] !== undefined && env[key] !== '') raw[key] = env[key] as string;
  }
  const config = plainToInstance(AppConfig, raw);
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) =>
        `${e.property}=${JSON.stringify(raw[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return config;
}

/** The variables the tools (not the server) read; documented in the README beside AppConfig. */
export function toolEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    DATABASE_URL: env.DATABASE_URL || undefined,
    TEST_DATABASE_URL: env.TEST_DATABASE_URL || undefined,
    CONTRACTS_EMBEDDED_PG_PORT: Number(env.CONTRACTS_EMBEDDED_PG_PORT || 54349),
    /** the `rapport` CLI: the server to talk to, and the API key it authenticates with */
    RAPPORT_URL: env.RAPPORT_URL || 'http://localhost:3000',
    RAPPORT_API_KEY: env.RAPPORT_API_KEY || undefined,
  };
}
