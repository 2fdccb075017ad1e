import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * An API key for scripts. Acts for its owner (`userId`) with at most its scopes; only a SHA-256 of
 * its secret is stored. Mirrors migrations/0003 `api_keys`.
 */
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId: string;

  @PrimaryColumn('uuid')
  id: string;

  /** the owner: the key acts as this user */
  @Column('uuid', { name: 'user_id' })
  userId: string;

  /** the owner, or a holder of api-keys:manage who made the key for them */
  @Column('uuid', { name: 'created_by' })
  createdBy: string;

  @Column('text')
  name: string;

  /** permission strings; at use time narrowed further to what the owner currently holds */
  @Column('text', { array: true })
  scopes: string[];

  /** base64url SHA-256 of the secret part of the key */
  @Column('text', { name: 'secret_hash' })
  secretHash: string;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  /** updated at most once a minute */
  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
