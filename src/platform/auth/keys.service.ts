import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPublicKey, KeyObject } from 'node:crypto';
import {
  calculateJwkThumbprint,
  CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  JWK,
  JWTPayload,
  SignJWT,
} from 'jose';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { SigningKey } from './signing-key.entity.js';

/**
 * RS256 rather than EdDSA: tokens are verified by passport-jwt, i.e. jsonwebtoken 9, which has no
 * EdDSA. Keys of any other alg in signing_keys (e.g. EdDSA rows of older dev databases) are ignored.
 */
export const SIGNING_ALG = 'RS256';

/** RSA modulus size of newly created keys (bits). */
const RSA_MODULUS_LENGTH = 2048;

/** Serialises key creation across replicas that boot at the same moment (any fixed bigint). */
const KEY_CREATION_LOCK = 7_243_101;

/** How often every replica re-reads the key set, so rotations and retirements spread without a restart. */
const PERIODIC_RELOAD_MS = 60_000;

/**
 * A token naming a kid we do not know triggers a reload at most this often: garbage kids cost at
 * most one small query a second, and a key another replica just rotated in is picked up within a
 * second of its first token arriving here.
 */
const UNKNOWN_KID_RELOAD_MS = 1_000;

export interface PublicJwk extends JWK {
  kid: string;
  alg: string;
  use: 'sig';
}

interface Loaded {
  signingKid: string;
  signingKey: CryptoKey;
  /** Node KeyObjects, the form jsonwebtoken verifies with (no per-request PEM parsing). */
  verificationKeys: Map<string, KeyObject>;
  jwks: PublicJwk[];
}

/**
 * Owns the token signing keys. They live in `signing_keys`, which only the service's own login can
 * read, so this service uses the DataSource directly and never TenantDb (rapport_app has no grant
 * there). Every non-retired key verifies and is published; the newest one signs.
 */
@Injectable()
export class KeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('auth.keys');
  private loaded?: Loaded;
  private lastReload = 0;
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.ensureSigningKey();
    await this.reload();
    // A rotation or retirement made by another replica (or the CLI) reaches this one within a minute.
    this.timer ??= setInterval(() => {
      this.reload().catch((e: unknown) => this.logger.warn(`signing key reload failed: ${String(e)}`));
    }, PERIODIC_RELOAD_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The public keys, as served at /.well-known/jwks.json. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: [...this.state().jwks] };
  }

  /** Signs `claims` as a compact JWS with the current key; `typ` goes into the protected header. */
  async sign(claims: JWTPayload, typ = 'JWT'): Promise<string> {
    const { signingKid, signingKey } = this.state();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: signingKid, typ })
      .sign(signingKey);
  }

  /**
   * The verification key for `kid`, or undefined. An unknown kid may be a key another replica
   * just created, so the key set is re-read (rate-limited) before giving up. Rejects only when
   * that re-read fails (the key store is unavailable), never for a bad kid.
   */
  async verificationKey(kid: string | undefined): Promise<KeyObject | undefined> {
    if (!kid) return undefined;
    const known = this.state().verificationKeys.get(kid);
    if (known || Date.now() - this.lastReload < UNKNOWN_KID_RELOAD_MS) return known;
    await this.reload();
    return this.state().verificationKeys.get(kid);
  }

  /** Whether `kid` is a key this replica verifies with now (not retired, as far as it knows). */
  isVerifying(kid: string): boolean {
    return this.state().verificationKeys.has(kid);
  }

  /** Re-reads the non-retired keys (after a rotation elsewhere). */
  async reload(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await this.dataSource.getRepository(SigningKey).find({
      where: { retiredAt: IsNull() },
      order: { createdAt: 'DESC', kid: 'ASC' },
    });
    const usable = rows.filter((r) => r.alg === SIGNING_ALG);
    if (usable.length === 0) throw new Error('no usable signing key in signing_keys');
    const verificationKeys = new Map<string, KeyObject>();
    const jwks: PublicJwk[] = [];
    for (const row of usable) {
      const jwk = publicJwkOf(row);
      verificationKeys.set(row.kid, asPublicKeyObject(jwk));
      jwks.push(jwk);
    }
    this.loaded = {
      signingKid: usable[0].kid,
      signingKey: await asSigningKey(usable[0].privateJwk),
      verificationKeys,
      jwks,
    };
  }

  /**
   * Key rotation, step 1: creates a key pair that signs every token from now on, while the older
   * keys keep verifying (and stay in the JWKS) until retired. Other replicas pick it up at their
   * next periodic reload, or at once when they meet a token with its kid. Returns the new kid.
   */
  async rotate(): Promise<string> {
    const kid = await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
      return this.insertKey(em);
    });
    await this.reload();
    return kid;
  }

  /**
   * Key rotation, step 2: retires a key, so tokens signed with it stop verifying. Do it once the
   * longest access token lifetime has passed since the rotation. The last usable key cannot be
   * retired (nothing could sign). Returns false when no such unretired key exists.
   */
  async retire(kid: string): Promise<boolean> {
    const retired = await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
      const repo = em.getRepository(SigningKey);
      const usable = await repo.find({
        select: { kid: true },
        where: { retiredAt: IsNull(), alg: SIGNING_ALG },
      });
      if (!usable.some((k) => k.kid === kid)) return false;
      if (usable.length === 1) throw new Error(`signing key ${kid} is the only usable one; rotate first`);
      await repo.update({ kid }, { retiredAt: () => 'now()' });
      this.logger.log(`retired token signing key ${kid}`);
      return true;
    });
    await this.reload();
    return retired;
  }

  /** Creates the first key pair when there is none; the advisory lock makes concurrent boots create one, not two. */
  private async ensureSigningKey(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
      const existing = await em
        .getRepository(SigningKey)
        .count({ where: { retiredAt: IsNull(), alg: SIGNING_ALG } });
      if (existing === 0) await this.insertKey(em);
    });
  }

  private async insertKey(em: EntityManager): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, {
      modulusLength: RSA_MODULUS_LENGTH,
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    // clock_timestamp(), not now(): the newest key signs, and a rotation must sort after the key it
    // replaces even when both were made in one transaction.
    await em
      .createQueryBuilder()
      .insert()
      .into(SigningKey)
      .values({ kid, alg: SIGNING_ALG, publicJwk, privateJwk, createdAt: () => 'clock_timestamp()' })
      .orIgnore()
      .execute();
    this.logger.log(`created token signing key ${kid}`);
    return kid;
  }

  private state(): Loaded {
    if (!this.loaded) throw new Error('KeysService used before module init');
    return this.loaded;
  }
}

async function asSigningKey(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, SIGNING_ALG);
  // importJWK only yields raw bytes for symmetric ("oct") keys, which signing_keys never holds.
  if (key instanceof Uint8Array) throw new Error('signing_keys holds a symmetric key');
  return key;
}

/** An RSA public key as a Node KeyObject; refuses anything else, so no row can make a token verify under another key type. */
function asPublicKeyObject(jwk: PublicJwk): KeyObject {
  const { kty, n, e } = jwk;
  if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string')
    throw new Error(`signing key ${jwk.kid} is not an RSA public key`);
  return createPublicKey({ key: { kty, n, e }, format: 'jwk' });
}

/** Only the public members: a JWK copied whole from the private column would leak `d`, `p`, `q`, `dp`, `dq`, `qi`. */
function publicJwkOf(row: SigningKey): PublicJwk {
  const { kty, n, e } = row.publicJwk;
  return { kty, n, e, kid: row.kid, alg: row.alg, use: 'sig' };
}
