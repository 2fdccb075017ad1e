import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import passport from 'passport';
import { requestOf } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { DomainError } from '../http/domain-error.js';
import { ApiKeyAuthenticator, ApiKeyRejected } from './api-keys/api-key.authenticator.js';
import { JwtStrategy, KeyStoreUnavailableError } from './jwt.strategy.js';
import { IS_PUBLIC } from './public.decorator.js';

const REALM = 'rapport';

/** Why a token was refused: what the 401 problem and its WWW-Authenticate challenge say. */
export interface TokenChallenge {
  /** RFC 6750 §3.1 error code; absent when no credentials were sent at all */
  error?: 'invalid_token';
  message: string;
}

const NO_TOKEN: TokenChallenge = {
  message: 'Authentication is required: send an access token as "Authorization: Bearer <token>".',
};
const EXPIRED: TokenChallenge = { error: 'invalid_token', message: 'The access token has expired.' };
const INVALID: TokenChallenge = { error: 'invalid_token', message: 'The access token is not valid.' };
const INVALID_KEY: TokenChallenge = { error: 'invalid_token', message: 'The API key is not valid.' };
const EXPIRED_KEY: TokenChallenge = { error: 'invalid_token', message: 'The API key has expired.' };

/**
 * Global guard: every REST route and GraphQL operation needs a valid bearer token unless marked
 * @Public(). On success the caller's RequestContext is at `request.rapportCtx` (read by @Ctx()).
 * The bearer is either an access token (a JWT, verified by passport-jwt) or an API key, told apart
 * by the key's `rpk_` prefix (a JWT always starts with `ey`).
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
    private readonly apiKeys: ApiKeyAuthenticator,
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

  private async authenticate(
    request: Record<string, unknown>,
    reply: FastifyReply | undefined,
  ): Promise<RequestContext> {
    const headers = request.headers as Record<string, unknown> | undefined;
    const apiKey = apiKeyOf(headers?.authorization);
    if (apiKey === undefined) return this.authenticateJwt(request, reply);
    try {
      return await this.apiKeys.authenticate(apiKey, String(request.id ?? 'unknown'));
    } catch (e) {
      if (e instanceof ApiKeyRejected)
        throw new TokenError(e.reason === 'expired' ? EXPIRED_KEY : INVALID_KEY);
      throw e;
    }
  }

  private async authenticateJwt(request: object, reply: FastifyReply | undefined): Promise<RequestContext> {
    // A token verified moments ago skips passport and the signature check (JwtStrategy.verifiedPayload);
    // validate() still resolves its user and permissions now.
    const token = bearerOf((request as { headers?: Record<string, unknown> }).headers?.authorization);
    const payload = token === undefined ? undefined : this.jwt.verifiedPayload(token);
    if (payload) {
      const ctx = await this.jwt.validate(request as Parameters<JwtStrategy['validate']>[0], payload);
      if (ctx) return ctx;
      throw unauthenticated(undefined);
    }
    return new Promise<RequestContext>((resolve, reject) => {
      const strategy: passport.Strategy = Object.create(this.jwt);
      const middleware = passport.authenticate(
        strategy,
        { session: false },
        (err: unknown, user: unknown, info: unknown) => {
          if (err) return reject(err);
          if (user instanceof RequestContext) return resolve(user);
          // Not a token problem: the key store failed while looking the kid up. An error, not a 401.
          if (info instanceof KeyStoreUnavailableError) return reject(info);
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

/** The token of `Authorization: Bearer <token>`, or undefined. */
function bearerOf(authorization: unknown): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const m = /^bearer +(\S+) *$/i.exec(authorization);
  return m ? m[1] : undefined;
}

/** The key of `Authorization: Bearer rpk_…`, or undefined when the header carries anything else. */
function apiKeyOf(authorization: unknown): string | undefined {
  const token = bearerOf(authorization);
  return token !== undefined && ApiKeyAuthenticator.isApiKey(token) ? token : undefined;
}

class TokenError extends DomainError {
  constructor(readonly challenge: TokenChallenge) {
    super('UNAUTHENTICATED', challenge.message);
  }
}

/**
 * Maps passport-jwt's failure `info` to what the client is told. passport-jwt passes
 * `new Error('No auth token')` when no bearer token was found, jsonwebtoken's errors
 * (TokenExpiredError, JsonWebTokenError, NotBeforeError) when verification failed, our key
 * provider's errors, and undefined when validate() refused. Their messages are never echoed.
 */
function unauthenticated(info: unknown): DomainError {
  if (info instanceof Error) {
    if (info.name === 'TokenExpiredError') return new TokenError(EXPIRED);
    if (info.message === 'No auth token') return new TokenError(NO_TOKEN);
  }
  return new TokenError(INVALID);
}
