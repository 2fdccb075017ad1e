import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Recent failed sign-ins of one email address or one client IP (see LoginThrottle). Global: the
 * tenant is not known yet when a password grant is counted. Mirrors migrations/0003 `login_failures`.
 */
@Entity('login_failures')
export class LoginFailure {
  /** base64url SHA-256 of "email:<address>" or "ip:<address>" */
  @PrimaryColumn('text')
  bucket: string;

  @Column('integer')
  failures: number;

  @Column('timestamptz', { name: 'last_failure_at' })
  lastFailureAt: Date;
}
