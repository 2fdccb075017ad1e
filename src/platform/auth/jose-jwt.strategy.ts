import { errors, JWTPayload, jwtVerify, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import passport from 'passport';

/**
 * passport-jwt's options, minus what jsonwebtoken does: verification is done by jose instead.
 *
 * Why not passport-jwt itself: it verifies through jsonwebtoken 9, which has no EdDSA (it refuses
 * Ed25519 keys with `Unknown key type "ed25519"`, and even with allowInvalidAsymmetricKeyTypes its
 * jwa layer rejects the "EdDSA" algorithm). This strategy keeps passport-jwt's contract
 * (`jwtFromRequest`, a key provider, issuer/audience/algorithms, `validate(req, payload)`) so it
 * drops into @nestjs/passport the same way.
 */
export interface JoseJwtStrategyOptions {
  jwtFromRequest: (request: BearerRequest) => string | null;
  /** resolves the verification key from the protected header (by `kid`) */
  keyProvider: JWTVerifyGetKey;
  verifyOptions: JWTVerifyOptions & { algorithms: string[]; issuer: string; audience: string };
}

/** The part of an HTTP request (Fastify's, here) a bearer token is read from. */
export interface BearerRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** Why a token was refused, handed to passport's `fail` and so to the guard's handler. */
export interface TokenChallenge {
  /** RFC 6750 §3.1 error code; absent when no credentials were sent at all */
  error?: 'invalid_token';
  message: string;
}

type Verified = (err: unknown, user?: unknown, info?: unknown) => void;
type VerifyCallback = (request: BearerRequest, payload: JWTPayload, done: Verified) => void;

export class JoseJwtStrategy extends passport.Strategy {
  override name = 'jwt';

  // Public on purpose: passport's typings model the per-request strategy as a mapped type, which drops private members.
  constructor(
    readonly options: JoseJwtStrategyOptions,
    readonly verifyCallback: VerifyCallback,
  ) {
    super();
  }

  /** `this` is the per-request object passport makes from the strategy, carrying success/fail/error. */
  override authenticate(this: JoseJwtStrategy & passport.StrategyCreatedStatic, request: unknown): void {
    if (!isBearerRequest(request)) return this.error(new Error('jwt strategy: not an HTTP request'));
    const token = this.options.jwtFromRequest(request);
    if (!token)
      return this.fail(
        challenge(
          undefined,
          'Authentication is required: send an access token as "Authorization: Bearer <token>".',
        ),
      );
    jwtVerify(token, this.options.keyProvider, this.options.verifyOptions).then(
      ({ payload }) => {
        try {
          this.verifyCallback(request, payload, (err, user, info) => {
            if (err) return this.error(err);
            if (!user) return this.fail(info ?? challenge('invalid_token', 'The access token is not valid.'));
            return this.success(user);
          });
        } catch (err) {
          this.error(err);
        }
      },
      (err: unknown) => {
        if (err instanceof errors.JWTExpired)
          return this.fail(challenge('invalid_token', 'The access token has expired.'));
        if (err instanceof errors.JOSEError)
          return this.fail(challenge('invalid_token', 'The access token is not valid.'));
        // Not a token problem (e.g. the key store failed): an error, not a 401.
        return this.error(err);
      },
    );
  }
}

function challenge(error: TokenChallenge['error'], message: string): TokenChallenge {
  return error ? { error, message } : { message };
}

function isBearerRequest(request: unknown): request is BearerRequest {
  return (
    typeof request === 'object' &&
    request !== null &&
    typeof (request as { headers?: unknown }).headers === 'object'
  );
}

/** `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1). */
export function bearerToken(request: BearerRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match ? match[1] : null;
}
