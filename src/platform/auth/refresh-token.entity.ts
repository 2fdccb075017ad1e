import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One refresh token of a rotation family. Only a SHA-256 of its secret is stored, so a database
 * leak yields no usable token. Mirrors migrations/0001 `refresh_tokens`.
 */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId: string;

  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  /** base64url SHA-256 of the secret part of the token */
  @Column('text', { name: 'secret_hash' })
  secretHash: string;

  /** every token rotated from the same sign-in shares it; reuse of one revokes them all */
  @Column('uuid', { name: 'family_id' })
  familyId: string;

  @Column('text', { default: '' })
  scope: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
