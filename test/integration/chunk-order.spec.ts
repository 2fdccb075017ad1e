import { ChunkOrder } from '../../src/modules/integration/import-runner.js';

/** ChunkOrder: a chunk in flight waits only for earlier chunks that share one of its match keys. */
describe('ChunkOrder', () => {
  const settled = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true));
    // Let every resolved promise run its continuations.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    return done;
  };

  it('lets a chunk with no key in common go at once', async () => {
    const order = new ChunkOrder();
    const first = order.next();
    const second = order.next();
    await first.claim(['a', 'b']);
    expect(await settled(second.claim(['c']))).toBe(true);
  });

  it('holds a chunk sharing a key until the earlier chunk finishes', async () => {
    const order = new ChunkOrder();
    const first = order.next();
    const second = order.next();
    await first.claim(['a', 'b']);
    const waiting = second.claim(['b', 'c']);
    expect(await settled(waiting)).toBe(false);
    first.finish();
    expect(await settled(waiting)).toBe(true);
  });

  it('waits for an earlier chunk to declare its keys, and never for a later one', async () => {
    const order = new ChunkOrder();
    const first = order.next();
    const second = order.next();
    const third = order.next();
    // The second claims before the first has said which keys it carries: it must wait to know.
    const second$ = second.claim(['x']);
    expect(await settled(second$)).toBe(false);
    await first.claim(['y']);
    expect(await settled(second$)).toBe(true);
    // The third shares x with the second, which is still in flight; the first is not involved.
    const third$ = third.claim(['x']);
    expect(await settled(third$)).toBe(false);
    second.finish();
    expect(await settled(third$)).toBe(true);
  });

  it('treats a chunk that failed before claiming as carrying no key', async () => {
    const order = new ChunkOrder();
    const first = order.next();
    const second = order.next();
    const second$ = second.claim(['a']);
    first.finish();
    expect(await settled(second$)).toBe(true);
  });
});
