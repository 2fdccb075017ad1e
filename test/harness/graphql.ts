import { TestApp } from './app.js';

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; errors?: { field: string }[] };
  }[];
}

/** One GraphQL operation over HTTP, as a client would send it. */
export async function gql<T = Record<string, unknown>>(
  t: TestApp,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult<T>> {
  const req = t.http.post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  const res = await req.send({ query, variables });
  return {
    status: res.status,
    data: (res.body as { data?: T }).data ?? null,
    errors: (res.body as GqlResult<T>).errors,
  };
}
