import type { Response } from 'supertest';
import { TestApp } from '../harness/app.js';
import { roleId } from '../harness/factories.js';

/** Helpers for the API key and OAuth client tests: the REST calls an integrator makes. */

export interface CreatedKey {
  id: string;
  key: string;
  scopes: string[];
  status: string;
  prefix: string;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export function postKey(t: TestApp, token: string, body: Record<string, unknown>): Promise<Response> {
  return t.http.post('/v1/api-keys').set(bearer(token)).send(body);
}

/** Creates an API key through REST; fails the test with the server's answer if it is not a 201. */
export async function createKey(
  t: TestApp,
  token: string,
  scopes: string[],
  extra: Record<string, unknown> = {},
): Promise<CreatedKey> {
  const res = await postKey(t, token, { name: 'test key', scopes, ...extra });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedKey;
}

export interface CreatedClient {
  id: string;
  clientId: string;
  clientSecret: string;
  allowedScopes: string[];
  roleId: string;
}

/** Registers an OAuth client through REST as `adminToken`; `role` is a built-in role key or a role id. */
export async function createClient(
  t: TestApp,
  adminToken: string,
  tenantId: string,
  allowedScopes: string[],
  role = 'admin',
  extra: Record<string, unknown> = {},
): Promise<CreatedClient> {
  const res = await t.http
    .post('/v1/oauth-clients')
    .set(bearer(adminToken))
    .send({ name: 'Partner app', roleId: await roleId(t, tenantId, role), allowedScopes, ...extra });
  if (res.status !== 201)
    throw new Error(`client creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedClient;
}

/** A client_credentials request, authenticated with HTTP Basic (default) or form fields. */
export function clientCredentials(
  t: TestApp,
  clientId: string,
  clientSecret: string,
  options: { scope?: string; method?: 'basic' | 'post' } = {},
): Promise<Response> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (options.scope !== undefined) form.scope = options.scope;
  const req = t.http.post('/oauth/token').type('form');
  if ((options.method ?? 'basic') === 'basic') {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    return req.set('authorization', `Basic ${basic}`).send(form);
  }
  return req.send({ ...form, client_id: clientId, client_secret: clientSecret });
}

/** A contact made by `token` through REST; returns its id. */
export async function newContact(t: TestApp, token: string, lastName = 'Lovelace'): Promise<string> {
  const res = await t.http.post('/v1/contacts').set(bearer(token)).send({ lastName });
  if (res.status !== 201)
    throw new Error(`contact creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}
