import { parse, v7, validate, version } from 'uuid';
import { newId, UUID_RE } from '../../src/platform/database/ids.js';

/**
 * newId writes UUIDv7 text itself (no uuid package on the hot path): the same layout as the uuid
 * package's v7() for the same time, counter and random bytes, valid, and strictly increasing.
 */
describe('newId', () => {
  it('makes valid version-7 UUIDs, lowercase, with the RFC 9562 variant', () => {
    for (let i = 0; i < 2000; i++) {
      const id = newId();
      expect(id).toMatch(UUID_RE);
      expect(id).toBe(id.toLowerCase());
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect(parse(id)[8] & 0xc0).toBe(0x80);
    }
  });

  it('is strictly increasing, also many within one millisecond', () => {
    const ids = Array.from({ length: 20000 }, () => newId());
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays time, counter and random bits out as uuid v7() does', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    const b = parse(id);
    let msecs = 0;
    for (let i = 0; i < 6; i++) msecs = msecs * 256 + b[i];
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after + 1);
    // Rebuild the counter from bytes 6–10 and have uuid format the same inputs.
    const seq = ((b[6] & 0x0f) << 28) | (b[7] << 20) | ((b[8] & 0x3f) << 14) | (b[9] << 6) | (b[10] >> 2);
    const random = new Uint8Array(16);
    random[10] = b[10] & 0x03;
    random.set(b.subarray(11), 11);
    expect(v7({ msecs, seq: seq | 0, random })).toBe(id);
  });
});
