import type { Response } from 'supertest';
import { TestApp } from '../harness/app.js';
import { UserFixture } from '../harness/factories.js';
import { gql, GqlResult } from '../harness/graphql.js';

/** REST calls as one user: `api.post('/v1/leads', body)` → supertest response. */
export function restAs(t: TestApp, u: UserFixture) {
  const auth = { authorization: `Bearer ${u.token}` };
  return {
    get: (path: string, query: Record<string, string> = {}) => t.http.get(path).query(query).set(auth),
    post: (path: string, body: object = {}) => t.http.post(path).set(auth).send(body),
    put: (path: string, body: object = {}) => t.http.put(path).set(auth).send(body),
    patch: (path: string, body: object = {}) => t.http.patch(path).set(auth).send(body),
    del: (path: string, query: Record<string, string> = {}) => t.http.delete(path).query(query).set(auth),
  };
}

export type Rest = ReturnType<typeof restAs>;

/** GraphQL as one user. */
export function gqlAs(t: TestApp, u: UserFixture) {
  return <T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GqlResult<T>> => gql<T>(t, u.token, query, variables);
}

/** The body of a 2xx response; fails the test with the server's answer otherwise. */
export function ok<T = Record<string, unknown>>(res: Response, status?: number): T {
  if (status !== undefined ? res.status !== status : res.status >= 300)
    throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

export interface PipelineFixture {
  id: string;
  /** stage ids by name: prospect, proposal, negotiation, won, lost */
  stage: Record<'prospect' | 'proposal' | 'negotiation' | 'won' | 'lost', string>;
}

export const STANDARD_STAGES = [
  { name: 'Prospect', probability: 10, category: 'open' },
  { name: 'Proposal', probability: 50, category: 'open' },
  { name: 'Negotiation', probability: 75, category: 'open' },
  { name: 'Won', probability: 100, category: 'won' },
  { name: 'Lost', probability: 0, category: 'lost' },
];

/** A pipeline with the five standard stages, made through the API by `admin`. */
export async function newPipeline(
  t: TestApp,
  admin: UserFixture,
  name = 'New business',
): Promise<PipelineFixture> {
  const api = restAs(t, admin);
  const pipeline = ok<{ id: string }>(
    await api.post('/v1/pipelines', { name, stages: STANDARD_STAGES }),
    201,
  );
  const stages = ok<{ data: { id: string; name: string }[] }>(
    await api.get(`/v1/pipelines/${pipeline.id}/stages`),
  );
  const by = (n: string) => stages.data.find((s) => s.name === n)!.id;
  return {
    id: pipeline.id,
    stage: {
      prospect: by('Prospect'),
      proposal: by('Proposal'),
      negotiation: by('Negotiation'),
      won: by('Won'),
      lost: by('Lost'),
    },
  };
}

/** An opportunity in `pipeline` (first stage unless given), made through the API. */
export async function newOpportunity(
  t: TestApp,
  u: UserFixture,
  pipeline: PipelineFixture,
  body: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { id: string }> {
  return ok(
    await restAs(t, u).post('/v1/opportunities', { name: 'Deal', pipelineId: pipeline.id, ...body }),
    201,
  );
}

export const NO_SUCH_ID = '01900000-0000-7000-8000-000000000000';
