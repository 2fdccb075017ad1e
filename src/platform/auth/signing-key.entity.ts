import type { JWK } from 'jose';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A token signing key pair. Global (no tenant) and read only through the service's own login:
 * rapport_app has no grant on it, so no tenant-scoped query can ever reach a private key.
 * Mirrors migrations/0001 `signing_keys`.
 */
@Entity('signing_keys')
export class SigningKey {
  @PrimaryColumn('text')
  kid: string;

  @Column('text')
  alg: string;

  @Column('jsonb', { name: 'public_jwk' })
  publicJwk: JWK;

  @Column('jsonb', { name: 'private_jwk' })
  privateJwk: JWK;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'retired_at', nullable: true })
  retiredAt: Date | null;
}
