import type { Response } from 'supertest';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTeam, newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gql, GqlResult } from '../harness/graphql.js';

/**
 * The access matrix (issue 3, "Done when"): principals × objects × actions, through REST and
 * GraphQL, every cell asserting the outcome written in EXPECTED below.
 *
 * The world: org-wide defaults accounts = read, contacts = private, activities = private. The
 * target of every cell is a record OWNED BY `rep` (fresh ones for update and delete). The
 * salesRep role has a field policy hiding accounts.annualRevenue, contacts.email and
 * activities.body; other roles have none.
 *
 * Principals (rows):
 *   admin     the tenant administrator
 *   manager   salesManager, team East: the role above salesRep (sees and edits reps' records)
 *   rep       salesRep, team East: owns the targets; may not delete accounts or contacts
 *   otherRep  salesRep, team West: another team's rep
 *   readOnly  the built-in read-only role
 *   apiKey    rep's API key with scopes accounts:read contacts:read activities:read
 *   partner   an OAuth client acting as salesManager, allowed accounts:read contacts:read
 *             contacts:create activities:read activities:create (role-based record access)
 *
 * Outcomes: ok (2xx; for list: the target is in the page), absent (list without the target),
 * 404 (NOT_FOUND: not visible), 403 (FORBIDDEN: missing permission, or visible but not
 * writable), scope (403 insufficient_scope: the principal holds it, the token's scopes leave it out),
 * field (403 FORBIDDEN_FIELD naming the hidden field).
 *
 * EXTENSION POINT: a row is a RowFactory (see ROWS) that builds a token from the World, plus a
 * line in EXPECTED. Add both to add a principal; cells are generated for both transports.
 */

type ObjectKey = 'account' | 'contact' | 'activity';
type Action = 'read' | 'list' | 'create' | 'update' | 'delete' | 'filterHidden';
type Outcome = 'ok' | 'absent' | '404' | '403' | 'scope' | 'field';
type Transport = 'rest' | 'graphql';

const OBJECTS: ObjectKey[] = ['account', 'contact', 'activity'];
const ACTIONS: Action[] = ['read', 'list', 'create', 'update', 'delete', 'filterHidden'];

/** Columns: read list create update delete filterHidden. */
const EXPECTED: Record<string, Record<ObjectKey, string>> = {
  admin: { account: 'ok ok ok ok ok ok', contact: 'ok ok ok ok ok ok', activity: 'ok ok ok ok ok ok' },
  manager: { account: 'ok ok ok ok ok ok', contact: 'ok ok ok ok ok ok', activity: 'ok ok ok ok ok ok' },
  rep: {
    account: 'ok ok ok ok 403 field',
    contact: 'ok ok ok ok 403 field',
    activity: 'ok ok ok ok ok field',
  },
  otherRep: {
    account: 'ok ok ok 403 403 field',
    contact: '404 absent ok 404 403 field',
    activity: '404 absent ok 404 404 field',
  },
  readOnly: {
    account: 'ok ok 403 403 403 ok',
    contact: '404 absent 403 403 403 ok',
    activity: '404 absent 403 403 403 ok',
  },
  apiKey: {
    account: 'ok ok scope scope 403 field',
    contact: 'ok ok scope scope 403 field',
    activity: 'ok ok scope scope scope field',
  },
  // A client holds only what its role grants AND it is allowed: beyond that a wider token would
  // not help, so the refusal is a plain 403, not insufficient_scope.
  partner: {
    account: 'ok ok 403 403 403 ok',
    contact: 'ok ok ok 403 403 ok',
    activity: 'ok ok ok 403 403 ok',
  },
};

interface ObjectSpec {
  plural: string;
  type: string;
  create: Record<string, unknown>;
  createGql: string;
  update: Record<string, unknown>;
  updateGql: string;
  /** a filter on the field salesRep may not see */
  hiddenFilter: string;
}

const SPECS: Record<ObjectKey, ObjectSpec> = {
  account: {
    plural: 'accounts',
    type: 'Account',
    create: { name: 'Matrix Inc' },
    createGql: '{ name: "Matrix Inc" }',
    update: { phone: '+1 555 0100' },
    updateGql: '{ phone: "+1 555 0100" }',
    hiddenFilter: 'annualRevenue gt 0',
  },
  contact: {
    plural: 'contacts',
    type: 'Contact',
    create: { lastName: 'Matrix' },
    createGql: '{ lastName: "Matrix" }',
    update: { title: 'CFO' },
    updateGql: '{ title: "CFO" }',
    hiddenFilter: "email eq 'x@matrix.test'",
  },
  activity: {
    plural: 'activities',
    type: 'Activity',
    create: { type: 'note', subject: 'Matrix note' },
    createGql: '{ type: note, subject: "Matrix note" }',
    update: { subject: 'Matrix call' },
    updateGql: '{ subject: "Matrix call" }',
    hiddenFilter: "body contains 'x'",
  },
};

interface World {
  t: TestApp;
  admin: UserFixture;
  users: Record<string, UserFixture>;
}

interface Row {
  name: string;
  token: string;
}

type RowFactory = (world: World) => Promise<Row>;

const userRow =
  (name: string): RowFactory =>
  async (world) => ({ name, token: name === 'admin' ? world.admin.token : world.users[name].token });

/** rep's API key, read-only scopes. */
const apiKeyRow: RowFactory = async ({ t, users }) => {
  const res = await t.http
    .post('/v1/api-keys')
    .set({ authorization: `Bearer ${users.rep.token}` })
    .send({ name: 'matrix script', scopes: ['accounts:read', 'contacts:read', 'activities:read'] });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${JSON.stringify(res.body)}`);
  return { name: 'apiKey', token: res.body.key as string };
};

/** A partner client acting as salesManager, with a token for every scope it is allowed. */
const partnerRow: RowFactory = async ({ t, admin }) => {
  const scopes = [
    'accounts:read',
    'contacts:read',
    'contacts:create',
    'activities:read',
    'activities:create',
  ];
  const client = await t.http
    .post('/v1/oauth-clients')
    .set({ authorization: `Bearer ${admin.token}` })
    .send({
      name: 'Partner',
      roleId: await roleId(t, admin.tenantId, 'salesManager'),
      allowedScopes: scopes,
    });
  if (client.status !== 201) throw new Error(`client: ${client.status} ${JSON.stringify(client.body)}`);
  const token = await t.http
    .post('/oauth/token')
    .type('form')
    .send({
      grant_type: 'client_credentials',
      client_id: client.body.clientId,
      client_secret: client.body.clientSecret,
      scope: scopes.join(' '),
    });
  if (token.status !== 200) throw new Error(`client token: ${token.status} ${JSON.stringify(token.body)}`);
  return { name: 'partner', token: token.body.access_token as string };
};

/** The rows, in table order. Add a factory here and a line in EXPECTED to extend the matrix. */
const ROWS: RowFactory[] = [
  userRow('admin'),
  userRow('manager'),
  userRow('rep'),
  userRow('otherRep'),
  userRow('readOnly'),
  apiKeyRow,
  partnerRow,
];
const ROW_NAMES = Object.keys(EXPECTED);

const cells: [Transport, string, ObjectKey, Action, Outcome][] = [];
for (const transport of ['rest', 'graphql'] as Transport[])
  for (const row of ROW_NAMES)
    for (const object of OBJECTS) {
      const outcomes = EXPECTED[row][object].split(' ') as Outcome[];
      if (outcomes.length !== ACTIONS.length)
        throw new Error(`EXPECTED.${row}.${object} needs ${ACTIONS.length} outcomes`);
      ACTIONS.forEach((action, i) => cells.push([transport, row, object, action, outcomes[i]]));
    }

describe(`access matrix (${cells.length} cells)`, () => {
  let t: TestApp;
  let world: World;
  const tokens = new Map<string, string>();
  const targets = {} as Record<ObjectKey, string>;

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  /** A record of `object` owned by rep, made by the admin. */
  const target = async (object: ObjectKey): Promise<string> => {
    const res = await t.http
      .post(`/v1/${SPECS[object].plural}`)
      .set(as(world.admin.token))
      .send({ ...SPECS[object].create, ownerId: world.users.rep.userId });
    if (res.status !== 201) throw new Error(`target ${object}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await newTenant(t);
    const east = await newTeam(t, admin.tenantId, 'East');
    const west = await newTeam(t, admin.tenantId, 'West');
    world = {
      t,
      admin,
      users: {
        manager: await newUser(t, admin.tenantId, { role: 'salesManager', teamIds: [east] }),
        rep: await newUser(t, admin.tenantId, { role: 'salesRep', teamIds: [east] }),
        otherRep: await newUser(t, admin.tenantId, { role: 'salesRep', teamIds: [west] }),
        readOnly: await newUser(t, admin.tenantId, { role: 'readOnly' }),
      },
    };
    const put = async (path: string, body: object) => {
      const res = await t.http.put(path).set(as(admin.token)).send(body);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await put('/v1/sharing-settings/accounts', { defaultAccess: 'read' });
    await put('/v1/sharing-settings/contacts', { defaultAccess: 'private' });
    await put('/v1/sharing-settings/activities', { defaultAccess: 'private' });
    const repRole = await roleId(t, admin.tenantId, 'salesRep');
    await put(`/v1/field-policies/${repRole}/accounts`, {
      mode: 'denyList',
      rules: { annualRevenue: 'hidden' },
    });
    await put(`/v1/field-policies/${repRole}/contacts`, { mode: 'denyList', rules: { email: 'hidden' } });
    await put(`/v1/field-policies/${repRole}/activities`, { mode: 'denyList', rules: { body: 'hidden' } });
    for (const factory of ROWS) {
      const row = await factory(world);
      tokens.set(row.name, row.token);
    }
    for (const object of OBJECTS) targets[object] = await target(object);
  });
  afterAll(() => t.close());

  it('has a row factory for every row of the table and 7 principals × 3 objects × 6 actions × 2 transports', () => {
    expect([...tokens.keys()].sort()).toEqual([...ROW_NAMES].sort());
    expect(cells).toHaveLength(ROW_NAMES.length * OBJECTS.length * ACTIONS.length * 2);
  });

  async function rest(token: string, object: ObjectKey, action: Action): Promise<Outcome | string> {
    const spec = SPECS[object];
    const base = `/v1/${spec.plural}`;
    let res: Response;
    switch (action) {
      case 'read':
        res = await t.http.get(`${base}/${targets[object]}`).set(as(token));
        break;
      case 'list':
        res = await t.http
          .get(base)
          .query({ filter: `id eq '${targets[object]}'` })
          .set(as(token));
        break;
      case 'create':
        res = await t.http.post(base).set(as(token)).send(spec.create);
        break;
      case 'update':
        res = await t.http
          .patch(`${base}/${await target(object)}`)
          .set(as(token))
          .send(spec.update);
        break;
      case 'delete':
        res = await t.http.delete(`${base}/${await target(object)}`).set(as(token));
        break;
      case 'filterHidden':
        res = await t.http.get(base).query({ filter: spec.hiddenFilter }).set(as(token));
        break;
    }
    if (res.status >= 200 && res.status < 300) {
      if (action !== 'list') return 'ok';
      return (res.body.data as { id: string }[]).some((r) => r.id === targets[object]) ? 'ok' : 'absent';
    }
    if (res.status === 404) return '404';
    if (res.status === 403) {
      if (res.body.code === 'FORBIDDEN_FIELD') return 'field';
      if (String(res.headers['www-authenticate'] ?? '').includes('insufficient_scope')) return 'scope';
      return '403';
    }
    return `unexpected ${res.status} ${JSON.stringify(res.body)}`;
  }

  async function graphql(token: string, object: ObjectKey, action: Action): Promise<Outcome | string> {
    const spec = SPECS[object];
    const plural = spec.plural;
    let res: GqlResult;
    let listed: string | undefined;
    switch (action) {
      case 'read':
        res = await gql(t, token, `query($id: ID!) { ${object}(id: $id) { id } }`, { id: targets[object] });
        break;
      case 'list':
        res = await gql(t, token, `query($f: JSON) { ${plural}(filter: $f) { nodes { id } } }`, {
          f: `id eq '${targets[object]}'`,
        });
        listed = plural;
        break;
      case 'create':
        res = await gql(t, token, `mutation { create${spec.type}(input: ${spec.createGql}) { id } }`);
        break;
      case 'update':
        res = await gql(
          t,
          token,
          `mutation($id: ID!) { update${spec.type}(id: $id, input: ${spec.updateGql}) { id } }`,
          {
            id: await target(object),
          },
        );
        break;
      case 'delete':
        res = await gql(t, token, `mutation($id: ID!) { delete${spec.type}(id: $id) }`, {
          id: await target(object),
        });
        break;
      case 'filterHidden':
        res = await gql(t, token, `query($f: JSON) { ${plural}(filter: $f) { nodes { id } } }`, {
          f: spec.hiddenFilter,
        });
        break;
    }
    const error = res.errors?.[0];
    if (!error) {
      if (!listed) return 'ok';
      const nodes = (res.data as Record<string, { nodes: { id: string }[] }>)[listed].nodes;
      return nodes.some((n) => n.id === targets[object]) ? 'ok' : 'absent';
    }
    const ext = error.extensions as { code?: string; reason?: string } | undefined;
    if (ext?.code === 'NOT_FOUND') return '404';
    if (ext?.code === 'FORBIDDEN_FIELD') return 'field';
    if (ext?.code === 'FORBIDDEN') return ext.reason === 'insufficient_scope' ? 'scope' : '403';
    return `unexpected ${JSON.stringify(res.errors)}`;
  }

  it.each(cells)('%s › %s › %s › %s → %s', async (transport, row, object, action, expected) => {
    const token = tokens.get(row);
    if (!token) throw new Error(`no token for row ${row}`);
    const outcome =
      transport === 'rest' ? await rest(token, object, action) : await graphql(token, object, action);
    expect(outcome).toBe(expected);
  });
});
