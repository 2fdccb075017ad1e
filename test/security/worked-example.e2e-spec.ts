import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Response } from 'supertest';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTeam, newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { bearer, clientCredentials, createClient, createKey } from '../auth/credentials.js';

/**
 * The worked example of docs/security.md, built exactly as the doc describes it, with every cell
 * of its table asserted through REST (and the first five columns through GraphQL as well).
 *
 * One tenant; contacts are `private` (the other objects are left unconfigured: readWrite).
 *   Maria  salesManager, no team
 *   Rob    salesRep, team East; owns contact A (Ada Lovelace)
 *   Rita   salesRep, team East; owns contact B (Grace Hopper), shared `read` with team West
 *   Sam    supportAgent, team West; contact A is shared `read` with the role Support agent, whose
 *          field policy on contacts is a deny-list hiding `email` and `phone`
 *   Partner app   an OAuth client acting as salesRep, allowed `contacts:read`, token scope the same
 *   Rob's script key   Rob's API key with scopes `contacts:read activities:create`
 *
 * TABLE is the doc's table, cell for cell: keep in sync with docs/security.md (the first test
 * parses the doc and fails when they differ).
 */

const COLUMNS = [
  'List contacts',
  'Get A',
  'Get B',
  'Update A',
  'Read A’s email',
  'Log a call on A',
  'Delete A',
] as const;
type Column = (typeof COLUMNS)[number];
type Who = 'rob' | 'maria' | 'rita' | 'sam' | 'partner' | 'scriptKey';

/** keep in sync with docs/security.md (section "Worked example", the table after the marker comment) */
const TABLE: { who: Who; label: string; cells: Record<Column, string> }[] = [
  {
    who: 'rob',
    label: 'Rob (sales rep)',
    cells: row('A', '200', '404', '200', 'shown', '201', '403'),
  },
  {
    who: 'maria',
    label: 'Maria (sales manager)',
    cells: row('A, B', '200', '200', '200', 'shown', '201', '204'),
  },
  {
    who: 'rita',
    label: 'Rita (sales rep)',
    cells: row('B', '404', '200', '404', '404', '400', '403'),
  },
  {
    who: 'sam',
    label: 'Sam (support agent)',
    cells: row('A, B', '200', '200', '403', 'hidden', '201', '403'),
  },
  {
    who: 'partner',
    label: 'Partner app (client as sales rep)',
    cells: row('none', '404', '404', '403', '404', '403', '403'),
  },
  {
    who: 'scriptKey',
    label: 'Rob’s script key',
    cells: row('A', '200', '404', '403 insufficient_scope', 'shown', '201', '403'),
  },
];

function row(...cells: string[]): Record<Column, string> {
  return Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i]])) as Record<Column, string>;
}

/** The marker in docs/security.md after which the table starts. */
const DOC_MARKER = '<!-- worked-example-table: asserted by test/security/worked-example.e2e-spec.ts -->';

/** The table of docs/security.md after DOC_MARKER: header and rows, cells without Markdown emphasis. */
async function docTable(): Promise<string[][]> {
  const doc = await readFile(fileURLToPath(new URL('../../docs/security.md', import.meta.url)), 'utf8');
  const at = doc.indexOf(DOC_MARKER);
  if (at < 0) throw new Error(`docs/security.md has no "${DOC_MARKER}"`);
  const lines = doc
    .slice(at + DOC_MARKER.length)
    .split('\n')
    .map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .filter((l) => !/^\|[\s|:-]+\|$/.test(l)) // the |---| separator
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.replace(/[`*]/g, '').trim()),
    );
}

describe('docs/security.md worked example', () => {
  let t: TestApp;
  let admin: UserFixture;
  const users = {} as Record<'rob' | 'maria' | 'rita' | 'sam', UserFixture>;
  const tokens = {} as Record<Who, string>;
  let east: string;
  let west: string;
  let supportRole: string;
  let keyId: string;
  let partnerClientId: string;
  let partnerSecret: string;
  let contactA: string;
  let contactB: string;
  const EMAIL_A = 'ada@analytical-engines.example';

  const as = (token: string) => bearer(token);
  const ok = (res: Response, status: number, what: string): Response => {
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t, 'Worked example');
    const tenant = admin.tenantId;
    east = await newTeam(t, tenant, 'East');
    west = await newTeam(t, tenant, 'West');
    users.maria = await newUser(t, tenant, { role: 'salesManager', displayName: 'Maria' });
    users.rob = await newUser(t, tenant, { role: 'salesRep', teamIds: [east], displayName: 'Rob' });
    users.rita = await newUser(t, tenant, { role: 'salesRep', teamIds: [east], displayName: 'Rita' });
    users.sam = await newUser(t, tenant, { role: 'supportAgent', teamIds: [west], displayName: 'Sam' });
    supportRole = await roleId(t, tenant, 'supportAgent');

    // The administrator's setup: contacts private, and Support agent's field policy on contacts.
    const adminAuth = as(admin.token);
    ok(
      await t.http.put('/v1/sharing-settings/contacts').set(adminAuth).send({ defaultAccess: 'private' }),
      200,
      'sharing setting',
    );
    ok(
      await t.http
        .put(`/v1/field-policies/${supportRole}/contacts`)
        .set(adminAuth)
        .send({ mode: 'denyList', rules: { email: 'hidden', phone: 'hidden' } }),
      200,
      'field policy',
    );

    // The reps create their own contacts (each becomes the owner).
    contactA = ok(
      await t.http
        .post('/v1/contacts')
        .set(as(users.rob.token))
        .send({ firstName: 'Ada', lastName: 'Lovelace', email: EMAIL_A, phone: '+44 20 7946 0001' }),
      201,
      'contact A',
    ).body.id;
    contactB = ok(
      await t.http
        .post('/v1/contacts')
        .set(as(users.rita.token))
        .send({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@cobol.example' }),
      201,
      'contact B',
    ).body.id;

    // Two shares: B with team West (read), A with the role Support agent (read).
    ok(
      await t.http
        .post(`/v1/contacts/${contactB}/shares`)
        .set(adminAuth)
        .send({ granteeType: 'team', granteeId: west, access: 'read' }),
      201,
      'share B',
    );
    ok(
      await t.http
        .post(`/v1/contacts/${contactA}/shares`)
        .set(adminAuth)
        .send({ granteeType: 'role', granteeId: supportRole, access: 'read' }),
      201,
      'share A',
    );

    // The partner app: an OAuth client acting as salesRep, allowed contacts:read only.
    const client = await createClient(t, admin.token, tenant, ['contacts:read'], 'salesRep', {
      name: 'Partner app',
    });
    partnerClientId = client.clientId;
    partnerSecret = client.clientSecret;
    const grant = ok(
      await clientCredentials(t, client.clientId, client.clientSecret, { scope: 'contacts:read' }),
      200,
      'client_credentials',
    );

    // Rob's script key, made by Rob himself.
    const key = await createKey(t, users.rob.token, ['contacts:read', 'activities:create'], {
      name: 'Rob’s import script',
    });
    keyId = key.id;

    for (const who of ['rob', 'maria', 'rita', 'sam'] as const) tokens[who] = users[who].token;
    tokens.partner = grant.body.access_token as string;
    tokens.scriptKey = key.key;
  });
  afterAll(() => t.close());

  it('TABLE is the table in docs/security.md', async () => {
    const [header, ...rows] = await docTable();
    expect(header).toEqual(['Who', ...COLUMNS]);
    expect(rows).toEqual(TABLE.map((r) => [r.label, ...COLUMNS.map((c) => r.cells[c])]));
  });

  /** "403" for a missing permission, "403 insufficient_scope" when only the token's scope is in the way. */
  const refusal = (res: Response): string => {
    if (res.status !== 403) return String(res.status);
    expect(res.body.code).toBe('FORBIDDEN');
    const challenge = String(res.headers['www-authenticate'] ?? '');
    return challenge.includes('error="insufficient_scope"') ? '403 insufficient_scope' : '403';
  };

  const NAMES = (): Map<string, string> =>
    new Map([
      [contactA, 'A'],
      [contactB, 'B'],
    ]);

  /** What one principal gets for one column, through REST, in the table's words. */
  async function rest(token: string, column: Column): Promise<string> {
    const auth = as(token);
    switch (column) {
      case 'List contacts': {
        const res = await t.http.get('/v1/contacts').set(auth);
        if (res.status !== 200) return refusal(res);
        const names = (res.body.data as { id: string }[]).map((r) => NAMES().get(r.id) ?? r.id).sort();
        return names.length === 0 ? 'none' : names.join(', ');
      }
      case 'Get A':
      case 'Get B': {
        const id = column === 'Get A' ? contactA : contactB;
        const res = await t.http.get(`/v1/contacts/${id}`).set(auth);
        if (res.status === 200) expect(res.body.id).toBe(id);
        if (res.status === 404) expect(res.body.code).toBe('NOT_FOUND');
        return refusal(res);
      }
      case 'Update A': {
        const res = await t.http.patch(`/v1/contacts/${contactA}`).set(auth).send({ title: 'Analyst' });
        if (res.status === 200) expect(res.body.title).toBe('Analyst');
        return refusal(res);
      }
      case 'Read A’s email': {
        const res = await t.http.get(`/v1/contacts/${contactA}`).set(auth);
        if (res.status !== 200) return refusal(res);
        if (!('email' in res.body)) return 'hidden';
        return res.body.email === EMAIL_A ? 'shown' : `unexpected email ${res.body.email}`;
      }
      case 'Log a call on A': {
        const res = await t.http
          .post('/v1/activities')
          .set(auth)
          .send({ type: 'call', subject: 'Renewal call', contactId: contactA });
        if (res.status === 400)
          expect(res.body.errors).toEqual([
            expect.objectContaining({ field: 'contactId', code: 'not_found' }),
          ]);
        return refusal(res);
      }
      case 'Delete A': {
        const res = await t.http.delete(`/v1/contacts/${contactA}`).set(auth);
        return refusal(res);
      }
    }
  }

  // Every column but the deletion, for every principal; then the deletions, Maria's (the only one
  // that succeeds) last, since it removes contact A.
  const READS_AND_WRITES = TABLE.flatMap((r) =>
    COLUMNS.filter((c) => c !== 'Delete A').map((c) => [r.label, c, r.cells[c], r.who] as const),
  );
  const DELETES = [...TABLE]
    .sort((x, y) => Number(x.cells['Delete A'] === '204') - Number(y.cells['Delete A'] === '204'))
    .map((r) => [r.label, 'Delete A' as Column, r.cells['Delete A'], r.who] as const);

  it.each(READS_AND_WRITES)('REST › %s › %s → %s', async (_label, column, expected, who) => {
    expect(await rest(tokens[who], column)).toBe(expected);
  });

  /** The read-side columns and the update through GraphQL, in the same words. */
  async function graphql(token: string, column: Column): Promise<string> {
    type Err = { extensions?: { code?: string; reason?: string }; path?: (string | number)[] };
    const outcome = (errors: Err[] | undefined): string | undefined => {
      const e = errors?.[0]?.extensions;
      if (!e) return undefined;
      if (e.code === 'NOT_FOUND') return '404';
      if (e.code === 'FORBIDDEN') return e.reason === 'insufficient_scope' ? '403 insufficient_scope' : '403';
      return `unexpected ${JSON.stringify(errors)}`;
    };
    switch (column) {
      case 'List contacts': {
        const res = await gql<{ contacts: { nodes: { id: string }[] } }>(
          t,
          token,
          '{ contacts { nodes { id } } }',
        );
        const names = (res.data?.contacts.nodes ?? []).map((n) => NAMES().get(n.id) ?? n.id).sort();
        return outcome(res.errors) ?? (names.length === 0 ? 'none' : names.join(', '));
      }
      case 'Get A':
      case 'Get B': {
        const id = column === 'Get A' ? contactA : contactB;
        const res = await gql(t, token, 'query($id: ID!) { contact(id: $id) { id lastName } }', { id });
        return outcome(res.errors) ?? '200';
      }
      case 'Update A': {
        const res = await gql(
          t,
          token,
          'mutation($id: ID!) { updateContact(id: $id, input: { title: "Analyst" }) { id title } }',
          { id: contactA },
        );
        return outcome(res.errors) ?? '200';
      }
      case 'Read A’s email': {
        const res = await gql<{ contact: { email: string | null; phone: string | null } | null }>(
          t,
          token,
          'query($id: ID!) { contact(id: $id) { id email phone } }',
          { id: contactA },
        );
        const codes = (res.errors ?? []).map((e) => e.extensions?.code);
        if (codes.length > 0 && codes.every((c) => c === 'FORBIDDEN_FIELD')) {
          // null plus one FORBIDDEN_FIELD error per hidden field selected
          expect(res.data?.contact).toMatchObject({ email: null, phone: null });
          expect((res.errors ?? []).map((e) => e.path?.join('.')).sort()).toEqual([
            'contact.email',
            'contact.phone',
          ]);
          return 'hidden';
        }
        return (
          outcome(res.errors) ?? (res.data?.contact?.email === EMAIL_A ? 'shown' : JSON.stringify(res.data))
        );
      }
      default:
        throw new Error(`${column} is not checked through GraphQL`);
    }
  }

  const GRAPHQL_COLUMNS: Column[] = ['List contacts', 'Get A', 'Get B', 'Update A', 'Read A’s email'];
  it.each(TABLE.flatMap((r) => GRAPHQL_COLUMNS.map((c) => [r.label, c, r.cells[c], r.who] as const)))(
    'GraphQL › %s › %s → %s',
    async (_label, column, expected, who) => {
      expect(await graphql(tokens[who], column)).toBe(expected);
    },
  );

  describe('beyond the table (each claim the doc makes after it)', () => {
    it('Sam cannot filter, sort, select or search with the hidden email: 403 FORBIDDEN_FIELD naming it', async () => {
      const auth = as(tokens.sam);
      for (const query of [
        { filter: `email eq '${EMAIL_A}'` },
        { sort: 'email' },
        { fields: 'id,email' },
        { q: 'Lovelace' }, // contacts' q covers email too
      ]) {
        const res = await t.http.get('/v1/contacts').query(query).set(auth);
        expect({
          query,
          status: res.status,
          code: res.body.code,
          field: res.body.errors?.[0]?.field,
        }).toEqual({
          query,
          status: 403,
          code: 'FORBIDDEN_FIELD',
          field: 'email',
        });
      }
      const visible = await t.http.get('/v1/contacts').query({ filter: "lastName eq 'Lovelace'" }).set(auth);
      expect(visible.status).toBe(200);
      expect(visible.body.data.map((r: { id: string }) => r.id)).toEqual([contactA]);
    });

    it('same team as the owner grants nothing; joining West shows B, read-only: update is 403', async () => {
      const adminAuth = as(admin.token);
      expect((await t.http.get(`/v1/contacts/${contactB}`).set(as(tokens.rob))).status).toBe(404);
      ok(await t.http.post(`/v1/teams/${west}/members/${users.rob.userId}`).set(adminAuth), 204, 'join West');
      try {
        expect((await t.http.get(`/v1/contacts/${contactB}`).set(as(tokens.rob))).status).toBe(200);
        const upd = await t.http.patch(`/v1/contacts/${contactB}`).set(as(tokens.rob)).send({ title: 'x' });
        expect({ status: upd.status, code: upd.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      } finally {
        ok(
          await t.http.delete(`/v1/teams/${west}/members/${users.rob.userId}`).set(adminAuth),
          204,
          'leave West',
        );
      }
      expect((await t.http.get(`/v1/contacts/${contactB}`).set(as(tokens.rob))).status).toBe(404);
    });

    it('defaults are per object: activities are unconfigured (readWrite), so Rita sees the calls on A', async () => {
      const res = await t.http
        .get('/v1/activities')
        .query({ filter: `contactId eq '${contactA}'`, expand: 'contact' })
        .set(as(tokens.rita));
      expect(res.status).toBe(200);
      const calls = res.body.data as { id: string; contactId: string; contact: unknown }[];
      // Rob's, Maria's, Sam's and the key's calls (Rita's own was refused)
      expect(calls).toHaveLength(4);
      for (const call of calls) expect(call).toMatchObject({ contactId: contactA, contact: null });
      // none of them is Rita's, yet she may delete one: activities:delete and a readWrite default
      expect((await t.http.delete(`/v1/activities/${calls[0].id}`).set(as(tokens.rita))).status).toBe(204);
    });

    it('the access explanation names the rule: B for Sam is teamShare, A for Sam is roleShare', async () => {
      const explain = async (id: string, userId: string) => {
        const res = await t.http.get(`/v1/contacts/${id}/access`).query({ userId }).set(as(admin.token));
        expect(res.status).toBe(200);
        return res.body as {
          read: { rule: string };
          write: { rule: string };
          fields: Record<string, string>;
        };
      };
      const samB = await explain(contactB, users.sam.userId);
      expect(samB.read.rule).toBe('teamShare');
      expect(samB.write.rule).toBe('none');
      expect(samB.fields).toMatchObject({ email: 'hidden', phone: 'hidden', lastName: 'edit' });
      expect((await explain(contactA, users.sam.userId)).read.rule).toBe('roleShare');
      expect((await explain(contactA, users.maria.userId)).write.rule).toBe('hierarchy');
      expect((await explain(contactA, users.rita.userId)).read.rule).toBe('none');
    });

    it('the script key cannot mint keys, and Rob cannot give a key what he lacks', async () => {
      const fromKey = await t.http
        .post('/v1/api-keys')
        .set(as(tokens.scriptKey))
        .send({ name: 'successor', scopes: ['contacts:read'] });
      expect(fromKey.status).toBe(403);
      const stronger = await t.http
        .post('/v1/api-keys')
        .set(as(tokens.rob))
        .send({ name: 'cleanup', scopes: ['contacts:read', 'contacts:delete'] });
      expect(stronger.status).toBe(403);
      expect(stronger.body.errors).toEqual([expect.objectContaining({ field: 'scopes', code: 'not_held' })]);
    });

    it('the partner cannot get a token for a scope it is not allowed: 400 invalid_scope', async () => {
      const res = await clientCredentials(t, partnerClientId, partnerSecret, { scope: 'contacts:update' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_scope');
    });
  });

  it.each(DELETES)('REST › %s › %s → %s', async (_label, column, expected, who) => {
    expect(await rest(tokens[who], column)).toBe(expected);
  });

  it('the audit trail has the refusals with who, through what, and why; and the deletion', async () => {
    const events = async (query: Record<string, string>) => {
      const res = await t.http.get('/v1/audit-events').query(query).set(as(admin.token));
      expect(res.status).toBe(200);
      return res.body.data as {
        actorType: string;
        actorId: string;
        userId: string | null;
        clientId: string | null;
        action: string;
        outcome: string;
        recordId: string | null;
        channel: string;
        details: Record<string, unknown> | null;
      }[];
    };
    const denied = await events({ action: 'denied', actorId: keyId, limit: '200' });
    expect(denied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actorType: 'apiKey',
          userId: users.rob.userId,
          outcome: 'denied',
          details: expect.objectContaining({
            operation: 'PATCH /v1/contacts/:id',
            reason: 'insufficient_scope',
          }),
        }),
      ]),
    );
    const partner = await events({ action: 'denied', clientId: partnerClientId, limit: '200' });
    expect(partner.length).toBeGreaterThan(0);
    expect(partner[0]).toMatchObject({ actorType: 'oauthClient', userId: null, clientId: partnerClientId });
    const deletion = await events({ action: 'delete', recordId: contactA });
    expect(deletion).toEqual([
      expect.objectContaining({ actorType: 'user', actorId: users.maria.userId, outcome: 'success' }),
    ]);
    const verify = ok(await t.http.get('/v1/audit-events/verify').set(as(admin.token)), 200, 'verify');
    expect(verify.body.ok).toBe(true);
  });
});
