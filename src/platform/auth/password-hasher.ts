import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

/** Anything longer is refused before hashing, so a huge "password" cannot buy CPU time. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 12;

/**
 * OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane) rather than the library default (64 MiB,
 * 3 passes, 4 lanes): about a third of the CPU per sign-in for a still memory-hard hash, which
 * keeps the public token endpoint from being an easy way to burn CPU, and keeps test factories
 * (one hash + one verify per user) fast. Raise it here; older hashes are upgraded at sign-in.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id hashing, plus a dummy verification so an unknown email costs as much as a known one. */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  /**
   * Verifies `password` against `hash`; with no hash (unknown user, password-less user) it
   * verifies against a throw-away hash and returns false, so timing does not tell them apart.
   */
  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    if (!hash) {
      await argon2.verify(await this.dummy(), password).catch(() => false);
      return false;
    }
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is a failed sign-in, never a 500.
      return false;
    }
  }

  /**
   * True when `hash` is not argon2id or is weaker than today's parameters. Stronger old hashes are
   * kept: a sign-in should never downgrade a stored hash.
   */
  needsRehash(hash: string): boolean {
    const m = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    if (!m) return true;
    const [, version, memory, time] = m.map(Number);
    return version < 0x13 || memory < OPTIONS.memoryCost || time < OPTIONS.timeCost;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= argon2.hash(randomBytes(32).toString('base64url'), OPTIONS);
    return this.dummyHash;
  }
}
