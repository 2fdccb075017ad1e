import type { Response } from 'supertest';
import { TestApp } from '../harness/app.js';

export const VIEWER_QUERY = '{ viewer { id email displayName tenantId isAdmin } }';

/** A GraphQL operation over HTTP, as a client sends it. */
export function gql(t: TestApp, query: string, token?: string): Promise<Response> {
  const req = t.http.post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  return req.send({ query });
}

export function errorCodes(res: Response): unknown[] {
  const errors = (res.body as { errors?: { extensions?: { code?: unknown } }[] }).errors ?? [];
  return errors.map((e) => e.extensions?.code);
}

/** base64url of a JSON value, for hand-made (forged) tokens. */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
