import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ErrorCode } from '../http/domain-error.js';
import { toDomainError } from '../http/problem.js';

const OAUTH_ERRORS: Partial<Record<ErrorCode, string>> = {
  INVALID_GRANT: 'invalid_grant',
  INVALID_CLIENT: 'invalid_client',
  UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  INVALID_SCOPE: 'invalid_scope',
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
    return reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({ error, error_description: description });
  }
}
