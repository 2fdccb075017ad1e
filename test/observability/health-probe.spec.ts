import { jest } from '@jest/globals';
import { probe } from '../../src/platform/http/health.service.js';

describe('probe', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reports up with a latency when the query answers', async () => {
    const { check, cause } = await probe(() => Promise.resolve([{ '?column?': 1 }]), 2000);
    expect(check).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    expect(cause).toBeUndefined();
  });

  it('reports down without the error text when the query fails, and hands the cause back for the log', async () => {
    const error = new Error('connect ECONNREFUSED 10.0.0.5:5432 user=rapport');
    const { check, cause } = await probe(() => Promise.reject(error), 2000);
    expect(check).toEqual({ status: 'down', detail: 'the query failed' });
    expect(JSON.stringify(check)).not.toContain('10.0.0.5');
    expect(cause).toBe(error);
  });

  it('reports down once the deadline passes on a query that never answers', async () => {
    jest.useFakeTimers();
    const pending = probe(() => new Promise<never>(() => undefined), 2000);
    await jest.advanceTimersByTimeAsync(1999);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect((await pending).check).toEqual({ status: 'down', detail: 'no answer within 2000 ms' });
  });
});
