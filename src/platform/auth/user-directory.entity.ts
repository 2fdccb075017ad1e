import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Sign-in directory: the one table without RLS the app role reads, because a password grant must
 * find the tenant of an email before any tenant is known. Mirrors migrations/0001 `user_directory`.
 */
@Entity('user_directory')
export class UserDirectoryEntry {
  @PrimaryColumn('text')
  email: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;
}
