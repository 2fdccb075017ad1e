import autocannon from 'autocannon';
import { round } from './server.js';

/** One request of a scenario, made fresh for every call (ids rotate, bodies differ). */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  next: () => RequestSpec;
  /** sees every response (e.g. to keep the ETag of an updated record) */
  onResponse?: (status: number, body: string, headers: Record<string, string>) => void;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
}

/**
 * Drives the server with autocannon. Latencies are taken from autocannon's per-response event,
 * in fractional milliseconds: its own histogram keeps whole milliseconds, too coarse for requests
 * that take one or two. `watch` sees every response body, which costs the load generator time:
 * the runner uses it during the warm-up only.
 */
export async function load(
  opts: LoadOptions,
  watch?: (status: number, body: string) => void,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const onResponse =
    watch || opts.onResponse
      ? (status: number, body: string, _context: object, headers?: Record<string, unknown>) => {
          watch?.(status, String(body));
          opts.onResponse?.(status, String(body), (headers ?? {}) as Record<string, string>);
        }
      : undefined;
  let finish!: (r: autocannon.Result) => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: opts.baseUrl,
      connections: opts.connections,
      duration: opts.durationSeconds,
      requests: [
        {
          setupRequest: (req) => {
            const spec = opts.next();
            return {
              ...req,
              method: spec.method,
              path: spec.path,
              headers: spec.headers ?? {},
              ...(spec.body !== undefined ? { body: spec.body } : {}),
            };
          },
          ...(onResponse ? { onResponse } : {}),
        },
      ],
    },
    (err: unknown, result: autocannon.Result) => (err ? fail(err) : finish(result)),
  );
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    if (status >= 200 && status < 300) latencies.push(responseTime);
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies.length
      ? round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))], 2)
      : 0;
  const total = result.requests.total;
  return {
    requests: total,
    rps: round(total / result.duration, 0),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: latencies.length ? round(latencies[latencies.length - 1], 2) : 0,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
