import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids, drawn 256 ids at a time: crypto.getRandomValues for 16 bytes per id cost
 * ~10% of a bulk import's CPU (three ids per imported row).
 */
const POOL_BYTES = 16 * 256;
const pool = new Uint8Array(POOL_BYTES);
let poolNext = POOL_BYTES;
/** v7 state: ids of one process stay strictly increasing within a millisecond. */
const state = { msecs: -Infinity, seq: 0 };

/** Each byte's two lowercase hex digits as character codes (high in the upper 8 bits). */
const HEX = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  const s = b.toString(16).padStart(2, '0');
  HEX[b] = (s.charCodeAt(0) << 8) | s.charCodeAt(1);
}
/** The 36 characters of the id being made; dashes stay where they are. */
const text = Buffer.alloc(36, '-'.charCodeAt(0));
/** Where each of the 16 bytes' hex digits go in the text (after the dashes at 8, 13, 18, 23). */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const bytes = new Uint8Array(16);

/**
 * Time-ordered UUIDv7, made by the app (DESIGN §5): RFC 9562 layout — 48-bit Unix milliseconds,
 * version 7, a 31-bit counter seeded at random each millisecond (as uuid's v7() lays it out:
 * test/platform/ids.spec.ts checks the two agree), variant 10, random bits. Written as text straight
 * into one scratch buffer: a bulk import makes three ids per row, and the uuid package's object,
 * byte array and per-character string building was most of an id's cost.
 */
export const newId = (): string => {
  if (poolNext === POOL_BYTES) {
    randomFillSync(pool);
    poolNext = 0;
  }
  const r = poolNext;
  poolNext += 16;
  const now = Date.now();
  if (now > state.msecs) {
    state.seq = ((pool[r + 6] & 0x7f) << 24) | (pool[r + 7] << 16) | (pool[r + 8] << 8) | pool[r + 9];
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  const msecs = state.msecs;
  const seq = state.seq;
  bytes[0] = (msecs / 0x10000000000) & 0xff;
  bytes[1] = (msecs / 0x100000000) & 0xff;
  bytes[2] = (msecs / 0x1000000) & 0xff;
  bytes[3] = (msecs / 0x10000) & 0xff;
  bytes[4] = (msecs / 0x100) & 0xff;
  bytes[5] = msecs & 0xff;
  bytes[6] = 0x70 | ((seq >>> 28) & 0x0f);
  bytes[7] = (seq >>> 20) & 0xff;
  bytes[8] = 0x80 | ((seq >>> 14) & 0x3f);
  bytes[9] = (seq >>> 6) & 0xff;
  bytes[10] = ((seq << 2) & 0xff) | (pool[r + 10] & 0x03);
  bytes[11] = pool[r + 11];
  bytes[12] = pool[r + 12];
  bytes[13] = pool[r + 13];
  bytes[14] = pool[r + 14];
  bytes[15] = pool[r + 15];
  for (let i = 0; i < 16; i++) {
    const h = HEX[bytes[i]];
    text[AT[i]] = h >> 8;
    text[AT[i] + 1] = h & 0xff;
  }
  return text.toString('latin1', 0, 36);
};

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
