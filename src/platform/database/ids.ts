import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * Random bytes for ids, drawn 256 ids at a time: uuid's own v7() asks crypto.getRandomValues for
 * 16 bytes per id, a call that cost ~10% of a bulk import's CPU (three ids per imported row).
 */
const POOL_BYTES = 16 * 256;
const pool = new Uint8Array(POOL_BYTES);
let poolNext = POOL_BYTES;
/** uuid's v7 state, kept here: ids of one process stay strictly increasing within a millisecond. */
const state = { msecs: -Infinity, seq: 0 };

/** Time-ordered UUIDv7, made by the app (DESIGN §5); the same layout and ordering as uuid's v7(). */
export const newId = (): string => {
  if (poolNext === POOL_BYTES) {
    randomFillSync(pool);
    poolNext = 0;
  }
  const random = pool.subarray(poolNext, poolNext + 16);
  poolNext += 16;
  const now = Date.now();
  if (now > state.msecs) {
    state.seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  return v7({ random, msecs: state.msecs, seq: state.seq });
};

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
