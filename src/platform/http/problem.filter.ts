import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { problemFromDomainError, toDomainError } from './problem.js';

/** The one place errors become transport responses: problem+json for REST, GraphQLError for GraphQL. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const error = toDomainError(exception);
    if (error.code === 'INTERNAL')
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (host.getType<string>() === 'graphql') {
      return new GraphQLError(error.detail, {
        extensions: {
          code: error.code,
          status: error.status,
          ...(error.reason ? { reason: error.reason } : {}),
          ...(error.errors.length ? { errors: error.errors } : {}),
        },
      });
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const problem = problemFromDomainError(error, request?.id);
    if (error.code === 'RATE_LIMITED' && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    if (problem.status === 401 && !reply.hasHeader('www-authenticate'))
      reply.header('www-authenticate', 'Bearer realm="rapport"');
    return reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }
}
