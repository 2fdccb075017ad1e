import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export type UserStatus = 'active' | 'disabled';

/** A person who signs in with email + password. Mirrors migrations/0001 `users`. */
@Entity('users')
export class User {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId: string;

  @PrimaryColumn('uuid')
  id: string;

  /** always lower-case (a CHECK constraint enforces it) */
  @Column('text')
  email: string;

  /** argon2id PHC string; null for a user who cannot sign in with a password */
  @Column('text', { name: 'password_hash', nullable: true })
  passwordHash: string | null;

  @Column('text', { name: 'display_name' })
  displayName: string;

  @Column('boolean', { name: 'is_admin', default: false })
  isAdmin: boolean;

  @Column('text', { default: 'active' })
  status: UserStatus;

  /** the user's role (migrations/0002): what they may do, and where they sit in the hierarchy */
  @Column('uuid', { name: 'role_id', nullable: true })
  roleId: string | null;

  @Column('timestamptz', { name: 'last_login_at', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'integer', default: 1 })
  version: number;
}
