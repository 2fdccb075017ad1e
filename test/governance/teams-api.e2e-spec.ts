import { UsersService } from '../../src/platform/auth/users.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTeam, newTenant, newUser, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';

describe('teams (/v1/teams and GraphQL)', () => {
  let t: TestApp;
  let admin: UserFixture;
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const teamsOf = async (u: UserFixture) =>
    (await t.app.get(UsersService).activePrincipal(u.tenantId, u.userId))?.teamIds;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  it('creates a team, adds and removes members, and the members’ principals follow at once', async () => {
    const created = await t.http
      .post('/v1/teams')
      .set(as(admin))
      .send({ name: 'EMEA sales', description: 'Europe' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'EMEA sales',
      description: 'Europe',
      memberIds: [],
      version: 1,
    });
    const team = created.body.id as string;
    const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    expect(await teamsOf(rep)).toEqual([]);

    expect((await t.http.post(`/v1/teams/${team}/members/${rep.userId}`).set(as(admin))).status).toBe(204);
    // Twice is the same as once.
    expect((await t.http.post(`/v1/teams/${team}/members/${rep.userId}`).set(as(admin))).status).toBe(204);
    expect((await t.http.get(`/v1/teams/${team}`).set(as(rep))).body.memberIds).toEqual([rep.userId]);
    expect((await t.http.get(`/v1/users/${rep.userId}`).set(as(rep))).body.teamIds).toEqual([team]);
    // No waiting for the principal cache: the membership is part of the very next request's context.
    expect(await teamsOf(rep)).toEqual([team]);

    expect((await t.http.delete(`/v1/teams/${team}/members/${rep.userId}`).set(as(admin))).status).toBe(204);
    expect((await t.http.get(`/v1/teams/${team}`).set(as(admin))).body.memberIds).toEqual([]);
    expect(await teamsOf(rep)).toEqual([]);
  });

  it('answers 404 for an unknown team or user', async () => {
    const team = await newTeam(t, admin.tenantId);
    const nobody = '01900000-0000-7000-8000-000000000000';
    expect((await t.http.post(`/v1/teams/${nobody}/members/${admin.userId}`).set(as(admin))).status).toBe(
      404,
    );
    expect((await t.http.post(`/v1/teams/${team}/members/${nobody}`).set(as(admin))).status).toBe(404);
    expect((await t.http.get(`/v1/teams/not-a-uuid`).set(as(admin))).status).toBe(404);
  });

  it('keeps teams in their tenant', async () => {
    const other = await newTenant(t);
    const team = await newTeam(t, admin.tenantId, 'Private team');
    expect((await t.http.get(`/v1/teams/${team}`).set(as(other))).status).toBe(404);
    // A user of another tenant cannot be added, nor can the other tenant add to this team.
    expect((await t.http.post(`/v1/teams/${team}/members/${other.userId}`).set(as(admin))).status).toBe(404);
    expect((await t.http.post(`/v1/teams/${team}/members/${other.userId}`).set(as(other))).status).toBe(404);
  });

  it('updates and deletes a team; its memberships go with it', async () => {
    const team = await newTeam(t, admin.tenantId, 'Short-lived');
    const u = await newUser(t, admin.tenantId, { teamIds: [team] });
    const renamed = await t.http
      .patch(`/v1/teams/${team}`)
      .set(as(admin))
      .send({ name: 'Renamed', description: null });
    expect(renamed.body).toMatchObject({
      name: 'Renamed',
      description: null,
      memberIds: [u.userId],
      version: 2,
    });
    const dup = await t.http.post('/v1/teams').set(as(admin)).send({ name: 'Renamed' });
    expect(dup.status).toBe(409);
    expect((await t.http.delete(`/v1/teams/${team}`).set(as(admin))).status).toBe(204);
    expect((await t.http.get(`/v1/teams/${team}`).set(as(admin))).status).toBe(404);
    expect(await superSql(t.databaseUrl, 'SELECT 1 FROM team_members WHERE team_id = $1', [team])).toEqual(
      [],
    );
    expect(await teamsOf(u)).toEqual([]);
  });

  it('lets anyone signed in read teams, and only users:manage change them', async () => {
    const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
    expect((await t.http.get('/v1/teams').set(as(reader))).status).toBe(200);
    const team = await newTeam(t, admin.tenantId);
    expect((await t.http.post('/v1/teams').set(as(reader)).send({ name: 'Mine' })).status).toBe(403);
    expect((await t.http.post(`/v1/teams/${team}/members/${reader.userId}`).set(as(reader))).status).toBe(
      403,
    );
    expect((await t.http.delete(`/v1/teams/${team}`).set(as(reader))).status).toBe(403);
  });

  it('works through GraphQL', async () => {
    const rep = await newUser(t, admin.tenantId);
    const created = await gql<{ createTeam: { id: string } }>(
      t,
      admin.token,
      'mutation { createTeam(input: { name: "GraphQL team" }) { id } }',
    );
    const id = created.data!.createTeam.id;
    const added = await gql<{ addTeamMember: { memberIds: string[] } }>(
      t,
      admin.token,
      'mutation($team: ID!, $user: ID!) { addTeamMember(teamId: $team, userId: $user) { memberIds } }',
      { team: id, user: rep.userId },
    );
    expect(added.data).toEqual({ addTeamMember: { memberIds: [rep.userId] } });
    const list = await gql<{ teams: { nodes: { id: string; memberIds: string[] }[] } }>(
      t,
      rep.token,
      '{ teams { nodes { id memberIds } } }',
    );
    expect(list.data!.teams.nodes).toContainEqual({ id, memberIds: [rep.userId] });
    const refused = await gql(t, rep.token, 'mutation($id: ID!) { deleteTeam(id: $id) }', { id });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
