import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import passport from 'passport';
import { requestOf } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { DomainError } from '../http/domain-error.js';
import { TokenChallenge } from './jose-jwt.strategy.js';
import { JwtStrategy } from './jwt.strategy.js';
import { IS_PUBLIC } from './public.decorator.js';

const REALM = 'rapport';

/**
 * Global guard: every REST route and GraphQL operation needs a valid bearer token unless marked
 * @Public(). On success the caller's RequestContext is at `request.rapportCtx` (read by @Ctx()).
 *
 * It drives passport itself rather than through @nestjs/passport's AuthGuard('jwt'): that looks
 * the strategy up by name in passport's process-wide registry, where the last Nest app created
 * wins — two apps in one process (tests) would verify each other's tokens with the wrong keys and
 * database. Here each app uses its own strategy instance, via a per-request copy exactly as
 * passport makes for named strategies.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return true;
    const type = context.getType<string>();
    if (type !== 'http' && type !== 'graphql')
      throw new DomainError('UNAUTHENTICATED', 'Authentication is required.');
    const request = requestOf(context);
    // GraphQL runs guards once per root field; the first one's result serves the whole operation.
    if (request.rapportCtx) return true;
    const reply = type === 'http' ? context.switchToHttp().getResponse<FastifyReply>() : undefined;
    try {
      const ctx = await this.authenticate(request, reply);
      request.rapportCtx = type === 'graphql' ? ctx.withChannel('graphql') : ctx;
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.code === 'UNAUTHENTICATED' && reply && !reply.sent) {
        reply.header('www-authenticate', this.challengeHeader(e));
      }
      throw e;
    }
  }

  private authenticate(request: object, reply: FastifyReply | undefined): Promise<RequestContext> {
    return new Promise<RequestContext>((resolve, reject) => {
      const strategy: passport.Strategy = Object.create(this.jwt);
      const middleware = passport.authenticate(
        strategy,
        { session: false },
        (err: unknown, user: unknown, info: unknown) => {
          if (err) return reject(err);
          if (user instanceof RequestContext) return resolve(user);
          reject(unauthenticated(info));
        },
      );
      middleware(request, reply ?? {}, (err?: unknown) =>
        reject(err ?? new Error('passport ended without a decision')),
      );
    });
  }

  private challengeHeader(e: DomainError): string {
    // RFC 6750 §3: no error attribute when the request carried no token at all.
    if (e instanceof TokenError && e.challenge.error) {
      return `Bearer realm="${REALM}", error="${e.challenge.error}", error_description="${e.challenge.message.replace(/["\\]/g, '')}"`;
    }
    return `Bearer realm="${REALM}"`;
  }
}

class TokenError extends DomainError {
  constructor(readonly challenge: TokenChallenge) {
    super('UNAUTHENTICATED', challenge.message);
  }
}

function unauthenticated(info: unknown): DomainError {
  if (
    typeof info === 'object' &&
    info !== null &&
    typeof (info as { message?: unknown }).message === 'string'
  ) {
    const { message, error } = info as { message: string; error?: unknown };
    return new TokenError(error === 'invalid_token' ? { error, message } : { message });
  }
  return new TokenError({ error: 'invalid_token', message: 'The access token is not valid.' });
}
