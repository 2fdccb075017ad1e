/** Stable machine-readable error codes; one mapper per transport turns them into HTTP/GraphQL. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'INVALID_FILTER'
  | 'INVALID_SORT'
  | 'INVALID_CURSOR'
  | 'INVALID_FIELDS'
  | 'INVALID_EXPAND'
  | 'LIMIT_TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'FORBIDDEN_FIELD'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DUPLICATE_EXTERNAL_ID'
  | 'VERSION_MISMATCH'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'INVALID_GRANT'
  | 'INVALID_CLIENT'
  | 'UNAUTHORIZED_CLIENT'
  | 'UNSUPPORTED_GRANT_TYPE'
  | 'INVALID_SCOPE'
  | 'QUERY_TIMEOUT'
  | 'INTERNAL';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_FILTER: 400,
  INVALID_SORT: 400,
  INVALID_CURSOR: 400,
  INVALID_FIELDS: 400,
  INVALID_EXPAND: 400,
  LIMIT_TOO_LARGE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  FORBIDDEN_FIELD: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DUPLICATE_EXTERNAL_ID: 409,
  VERSION_MISMATCH: 412,
  PRECONDITION_REQUIRED: 428,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INVALID_GRANT: 400,
  INVALID_CLIENT: 401,
  UNAUTHORIZED_CLIENT: 400,
  UNSUPPORTED_GRANT_TYPE: 400,
  INVALID_SCOPE: 400,
  QUERY_TIMEOUT: 503,
  INTERNAL: 500,
};

export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

/** A failure the caller can act on. `detail` is safe to show; it never carries SQL or stacks. */
export class DomainError extends Error {
  /** a finer machine-readable cause within `code`, e.g. 'insufficient_scope' (GraphQL extensions.reason) */
  readonly reason?: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors: FieldIssue[] = [],
    options: { reason?: string } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
    if (options.reason) this.reason = options.reason;
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}
