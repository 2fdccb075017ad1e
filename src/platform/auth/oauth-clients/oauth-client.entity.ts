import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * A partner application using the client_credentials grant. Its public `client_id` is derived from
 * tenant and id (see credentials.ts); its secrets are stored as SHA-256 only. Mirrors
 * migrations/0003 `oauth_clients`.
 */
@Entity('oauth_clients')
export class OAuthClient {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId: string;

  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** the role whose permissions bound every token of this client */
  @Column('uuid', { name: 'role_id' })
  roleId: string;

  @Column('text', { name: 'allowed_scopes', array: true })
  allowedScopes: string[];

  @Column('integer', { name: 'token_lifetime_seconds' })
  tokenLifetimeSeconds: number;

  @Column('text', { name: 'secret_hash' })
  secretHash: string;

  /** the secret before the last rotation, accepted until previousSecretExpiresAt */
  @Column('text', { name: 'previous_secret_hash', nullable: true })
  previousSecretHash: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column('timestamptz', { name: 'secret_rotated_at', nullable: true })
  secretRotatedAt: Date | null;

  @Column('uuid', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'integer', default: 1 })
  version: number;
}
