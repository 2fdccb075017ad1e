import { createServer } from 'node:net';
import * as oidc from 'openid-client';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { createClient, CreatedClient, newContact } from './credentials.js';

/** A free TCP port on 127.0.0.1 (the issuer URL must name it before the app is built). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The acceptance test of the OAuth server: openid-client, a certified OAuth/OIDC client library,
 * used unchanged, discovers the server from its RFC 8414 metadata, obtains a token with
 * client_credentials and calls REST and GraphQL with it. The app listens on a real port, since
 * the library makes real HTTP requests. Its only concession is `allowInsecureRequests`, the
 * library's documented switch for plain-http servers like this test's 127.0.0.1.
 */
describe('a real OAuth client library (openid-client) against Rapport', () => {
  let t: TestApp;
  let issuer: string;
  let admin: UserFixture;
  let client: CreatedClient;
  let contactId: string;
  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    t = await createTestApp({ JWT_ISSUER: issuer });
    await t.app.listen({ port, host: '127.0.0.1' });
    admin = await newTenant(t);
    contactId = await newContact(t, admin.token, 'Hopper');
    client = await createClient(
      t,
      admin.token,
      admin.tenantId,
      ['contacts:read', 'accounts:read'],
      'readOnly',
    );
  });
  afterAll(() => t.close());

  const discover = (auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(issuer), client.clientId, undefined, auth, {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });

  it('discovers the server from /.well-known/oauth-authorization-server', async () => {
    const config = await discover(oidc.ClientSecretBasic(client.clientSecret));
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.token_endpoint).toBe(`${issuer}/oauth/token`);
    expect(metadata.grant_types_supported).toContain('client_credentials');
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
    expect(metadata.scopes_supported).toContain('contacts:read');
  });

  it.each([
    ['client_secret_basic', () => oidc.ClientSecretBasic(client.clientSecret)],
    ['client_secret_post', () => oidc.ClientSecretPost(client.clientSecret)],
  ])(
    'obtains a token with client_credentials (%s) and calls REST and GraphQL with it',
    async (_method, auth) => {
      const config = await discover(auth());
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'contacts:read' });
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(tokens.scope).toBe('contacts:read');
      expect(tokens.expiresIn()).toBeGreaterThan(0);
      expect(tokens.expiresIn()).toBeLessThanOrEqual(3600);
      expect(tokens.refresh_token).toBeUndefined();

      const rest = await oidc.fetchProtectedResource(
        config,
        tokens.access_token,
        new URL(`${issuer}/v1/contacts/${contactId}`),
        'GET',
      );
      expect(rest.status).toBe(200);
      expect(((await rest.json()) as { lastName: string }).lastName).toBe('Hopper');

      const graphql = await oidc.fetchProtectedResource(
        config,
        tokens.access_token,
        new URL(`${issuer}/graphql`),
        'POST',
        JSON.stringify({ query: '{ contacts { nodes { id lastName } } }' }),
        new Headers({ 'content-type': 'application/json' }),
      );
      expect(graphql.status).toBe(200);
      const body = (await graphql.json()) as {
        data: { contacts: { nodes: { id: string }[] } };
        errors?: unknown;
      };
      expect(body.errors).toBeUndefined();
      expect(body.data.contacts.nodes.map((n) => n.id)).toContain(contactId);

      // The token's scope is enforced: accounts are allowed to the client but not in this token. The
      // library parses the RFC 6750 challenge and reports insufficient_scope.
      await expect(
        oidc.fetchProtectedResource(config, tokens.access_token, new URL(`${issuer}/v1/accounts`), 'GET'),
      ).rejects.toMatchObject({
        status: 403,
        cause: [{ scheme: 'bearer', parameters: { error: 'insufficient_scope', scope: 'accounts:read' } }],
      });
    },
  );

  it('surfaces invalid_scope and invalid_client as the RFC 6749 errors the library understands', async () => {
    const config = await discover(oidc.ClientSecretBasic(client.clientSecret));
    const scopeError = await oidc
      .clientCredentialsGrant(config, { scope: 'contacts:delete' })
      .catch((e: unknown) => e);
    expect(scopeError).toBeInstanceOf(oidc.ResponseBodyError);
    expect(scopeError).toMatchObject({ error: 'invalid_scope', status: 400 });
    // A 401 with `WWW-Authenticate: Basic` reaches the caller as the library's challenge error.
    const wrong = await discover(oidc.ClientSecretBasic(`rcs_${'x'.repeat(43)}`));
    const clientError = await oidc.clientCredentialsGrant(wrong).catch((e: unknown) => e);
    expect(clientError).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(clientError).toMatchObject({
      status: 401,
      cause: [{ scheme: 'basic', parameters: { realm: 'rapport' } }],
    });
    const body = await (clientError as oidc.WWWAuthenticateChallengeError).response.json();
    expect(body).toMatchObject({ error: 'invalid_client' });
  });
});
