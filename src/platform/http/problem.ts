import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, ErrorCode, FieldIssue, STATUS_BY_CODE } from './domain-error.js';

/** RFC 9457 problem details, as every 4xx/5xx body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldIssue[];
  /** finer cause within `code`, e.g. `insufficient_scope` or `missing_permission` */
  reason?: string;
  requestId?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'VERSION_MISMATCH',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export const PROBLEM_TYPE_BASE = 'https://rapport.dev/problems/';

export function problemFromDomainError(e: DomainError, requestId?: string): Problem {
  const status = STATUS_BY_CODE[e.code];
  return {
    type: PROBLEM_TYPE_BASE + e.code.toLowerCase().replace(/_/g, '-'),
    title: TITLES[status] ?? 'Error',
    status,
    detail: e.detail,
    code: e.code,
    ...(e.errors.length > 0 ? { errors: e.errors } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    requestId,
  };
}

interface PgError {
  code?: string;
  constraint?: string;
  routine?: string;
}

/**
 * Turns anything thrown into a DomainError. Known Postgres failures become their 4xx; anything
 * else is INTERNAL, whose detail never repeats the original message (no SQL, no stack).
 */
export function toDomainError(e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const body = e.getResponse();
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? String(
            Array.isArray((body as { message: unknown }).message)
              ? (body as { message: string[] }).message.join('; ')
              : (body as { message: unknown }).message,
          )
        : e.message;
    if (status === HttpStatus.NOT_FOUND)
      return new DomainError('NOT_FOUND', message.startsWith('Cannot ') ? 'No such route.' : message);
    if (status === HttpStatus.PAYLOAD_TOO_LARGE)
      return new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    return new DomainError(CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message);
  }
  const fastifyCode = (e as { code?: string; statusCode?: number }).code;
  const statusCode = (e as { statusCode?: number }).statusCode;
  if (typeof fastifyCode === 'string' && fastifyCode.startsWith('FST_')) {
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type.');
    if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY')
      return new DomainError('BAD_REQUEST', 'The JSON body is empty.');
    if (statusCode && statusCode < 500)
      return new DomainError('BAD_REQUEST', 'The request body could not be parsed.');
  }
  if (e instanceof SyntaxError && statusCode === 400)
    return new DomainError('BAD_REQUEST', 'The request body is not valid JSON.');
  const pg = e as PgError;
  const cause = (e as { driverError?: PgError }).driverError ?? pg;
  switch (cause.code) {
    case '23505':
      if (cause.constraint?.endsWith('_external_id'))
        return new DomainError('DUPLICATE_EXTERNAL_ID', 'Another record already has this externalId.', [
          { field: 'externalId', code: 'duplicate', message: 'externalId must be unique' },
        ]);
      return new DomainError('CONFLICT', 'A record with the same unique value already exists.');
    case '23503':
      return new DomainError(
        'VALIDATION_FAILED',
        'A referenced record does not exist.',
        referenceIssue(cause.constraint),
      );
    case '23514':
    case '22001':
    case '22003':
    case '22P02':
    case '22007':
    case '22008':
      return new DomainError('VALIDATION_FAILED', 'A value is out of range or malformed.');
    case '57014':
      return new DomainError('QUERY_TIMEOUT', 'The query took too long; narrow the filter or page size.');
    case '42501':
      return new DomainError('FORBIDDEN', 'Not allowed.');
    case '40001':
    case '40P01':
      return new DomainError('CONFLICT', 'The change collided with a concurrent one; retry it.');
    default:
      return new DomainError('INTERNAL', 'An unexpected error occurred.');
  }
}

function referenceIssue(constraint?: string): FieldIssue[] {
  // Postgres names composite FKs <table>_<tenant_id>_<column>_fkey.
  const m = constraint?.match(/^[a-z_]+?_tenant_id_([a-z_]+)_fkey$/);
  if (!m) return [];
  const field = m[1].replace(/_([a-z])/g, (_s, c: string) => c.toUpperCase());
  return [{ field, code: 'not_found', message: `${field} refers to a record that does not exist` }];
}
