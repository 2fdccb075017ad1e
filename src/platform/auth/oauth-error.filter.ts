import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ErrorCode } from '../http/domain-error.js';
import { toDomainError } from '../http/problem.js';
import { LoginThrottledError } from './login-throttle.js';

const OAUTH_ERRORS: Partial<Record<ErrorCode, string>> = {
  INVALID_GRANT: 'invalid_grant',
  INVALID_CLIENT: 'invalid_client',
  UNAUTHORIZED_CLIENT: 'unauthorized_client',
  UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  INVALID_SCOPE: 'invalid_scope',
  // RFC 6749 defines no token-endpoint error for throttling. Client libraries parse this endpoint's
  // errors as {error, error_description}, so a throttled sign-in keeps that shape (with 429 and
  // Retry-After) and borrows the code §4.1.2.1 uses for "try again later".
  RATE_LIMITED: 'temporarily_unavailable',
};

/**
 * The token endpoint answers errors in the RFC 6749 §5.2 shape `{error, error_description}`
 * instead of problem+json, because that is what OAuth client libraries parse.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const e = toDomainError(exception);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = e.status;
    let error = OAUTH_ERRORS[e.code];
    let description = e.detail;
    if (status >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      error = 'server_error';
      description = 'An unexpected error occurred.';
    } else if (!error) {
      // Any other client error (missing or repeated parameter, bad body) is a malformed request.
      error = 'invalid_request';
      if (status !== 413 && status !== 415 && status !== 429) status = 400;
    }
    if (e.code === 'INVALID_CLIENT') reply.header('www-authenticate', 'Basic realm="rapport"');
    if (e instanceof LoginThrottledError) reply.header('retry-after', String(e.retryAfterSeconds));
    return reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({ error, error_description: description });
  }
}
