import {
  CallHandler,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  OnModuleInit,
  SetMetadata,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Observable, of } from 'rxjs';
import type { ContextCarrier } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { DomainError } from './domain-error.js';
import {
  fingerprintOf,
  IdempotencyService,
  IN_USE_RETRY_AFTER_SECONDS,
  REPLAYED_HEADERS,
  StoredResponse,
} from './idempotency.service.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
const IDEMPOTENCY_MANUAL = 'rapport:idempotencyManual';

/** 1–255 printable ASCII characters (a UUID is the usual choice). */
const KEY_RE = /^[\x20-\x7e]{1,255}$/;

/**
 * Marks a POST route that handles `Idempotency-Key` itself through IdempotencyService (e.g. a
 * streamed upload, whose body the interceptor cannot fingerprint): the interceptor leaves it alone.
 */
export const ManualIdempotency = (): MethodDecorator & ClassDecorator =>
  SetMetadata(IDEMPOTENCY_MANUAL, true);

/** The header's key, validated; undefined when absent. A malformed key is a 400. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !KEY_RE.test(header))
    throw new DomainError(
      'BAD_REQUEST',
      'Idempotency-Key must be one header of 1 to 255 printable ASCII characters (e.g. a UUID).',
      [{ field: 'Idempotency-Key', code: 'invalid', message: 'must be 1-255 printable ASCII characters' }],
    );
  return header;
}

/** Sends a stored response again, marked `Idempotent-Replayed: true`; returns the body to send. */
export function replayResponse(reply: FastifyReply, response: StoredResponse): Buffer {
  reply.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
  reply.header(REPLAYED_HEADER, 'true');
  return response.body;
}

/** The claimed key of a request in flight, for the onSend hook that stores its response. */
interface Pending {
  ctx: RequestContext;
  key: string;
  settled: boolean;
}
const PENDING = Symbol('idempotency');
type Carrier = FastifyRequest & ContextCarrier & { [PENDING]?: Pending };

/**
 * `Idempotency-Key` on every authenticated REST POST whose body is JSON (DESIGN §9,
 * docs/integration.md#idempotency-keys). Runs after authentication (guards), before validation:
 * - claims the key for the caller with the request's fingerprint (method, path with query,
 *   canonical JSON body) — a replay, a 422 for another request, or a 409 while the first runs;
 * - the response, whatever produced it (the handler, a validation error, a domain error), is
 *   stored by the Fastify onSend hook below: 2xx–4xx are kept for replay, a 5xx abandons the key
 *   so that a retry runs again.
 * GraphQL requests are not covered: a GraphQL POST carries any number of operations, guards and
 * interceptors run per root field, and its errors come back as 200; clients retry mutations
 * through REST or with their own natural keys (externalId upserts).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnModuleInit {
  private readonly logger = new Logger('idempotency');

  constructor(
    private readonly service: IdempotencyService,
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onSend', async (request: Carrier, reply, payload) => {
      const pending = request[PENDING];
      if (!pending || pending.settled) return payload;
      pending.settled = true;
      await this.settle(pending, reply, payload);
      return payload;
    });
    // A request that ends without a response (lost socket, a hook failing) frees its key.
    fastify.addHook('onResponse', async (request: Carrier) => {
      const pending = request[PENDING];
      if (!pending || pending.settled) return;
      pending.settled = true;
      await this.service.abandon(pending.ctx, pending.key).catch(() => undefined);
    });
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType<string>() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Carrier>();
    if (request.method !== 'POST') return next.handle();
    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_HEADER]);
    const ctx = request.rapportCtx;
    if (key === undefined || !ctx) return next.handle();
    if (
      this.reflector.getAllAndOverride<boolean>(IDEMPOTENCY_MANUAL, [
        context.getHandler(),
        context.getClass(),
      ])
    )
      return next.handle();
    // A body that is not JSON (a multipart or streamed upload) cannot be fingerprinted here: such
    // an endpoint uses IdempotencyService itself.
    if (!isJsonOrEmpty(request)) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const fingerprint = fingerprintOf(request.method, request.url, request.body);
    let started;
    try {
      started = await this.service.begin(ctx, {
        key,
        method: request.method,
        path: request.url,
        fingerprint,
      });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'IDEMPOTENCY_KEY_IN_USE')
        reply.header('retry-after', String(IN_USE_RETRY_AFTER_SECONDS));
      throw e;
    }
    if (started.state === 'replay') return of(replayResponse(reply, started.response));
    request[PENDING] = { ctx, key, settled: false };
    return next.handle();
  }

  private async settle(pending: Pending, reply: FastifyReply, payload: unknown): Promise<void> {
    try {
      const body =
        typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : null;
      if (reply.statusCode >= 500 || body === null) {
        // A 5xx is ours, not the request's: a retry may succeed. A streamed body cannot be kept.
        await this.service.abandon(pending.ctx, pending.key);
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await this.service.complete(pending.ctx, pending.key, { status: reply.statusCode, headers, body });
    } catch (e) {
      // The response stands; the key stays in progress until its lease ends (a retry gets 409 till then).
      this.logger.error(
        `could not store the response of an idempotent request: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}

function isJsonOrEmpty(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  if (type === undefined) return request.body === undefined || request.body === null;
  return /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type);
}

/** Documents the `Idempotency-Key` header (and its 409/422) on every authenticated POST operation. */
export function documentIdempotency(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    const op = item.post;
    // Public operations (`security: [{}]`) have no principal to scope a key to.
    if (!op || op.security?.every((s) => Object.keys(s).length === 0)) continue;
    op.parameters = [
      ...(op.parameters ?? []),
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes a retry safe: 1–255 printable characters, unique per request (e.g. a UUID), kept 24 h (IDEMPOTENCY_TTL_HOURS). ' +
          'A retry with the same key and body replays the first response with `Idempotent-Replayed: true`; the same key with ' +
          'another request is a 422 (IDEMPOTENCY_KEY_REUSED); while the first request runs, a 409 (IDEMPOTENCY_KEY_IN_USE) with Retry-After.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
    ];
    op.responses ??= {};
    op.responses['422'] ??= {
      description: 'The Idempotency-Key was used with a different request.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
    };
  }
}
