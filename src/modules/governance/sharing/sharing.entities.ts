import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Org-wide default of one object (migration 0004). No row: DEFAULT_SHARING. */
@Entity({ name: 'object_sharing' })
export class ObjectSharingEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ type: 'text' }) object: string;
  @Column({ name: 'default_access', type: 'text' }) defaultAccess: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'updated_by', type: 'uuid', nullable: true }) updatedBy: string | null;
}

/** A grant of one record to a user, team or role. */
@Entity({ name: 'record_shares' })
export class RecordShareEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ type: 'text' }) object: string;
  @Column({ name: 'record_id', type: 'uuid' }) recordId: string;
  @Column({ name: 'grantee_type', type: 'text' }) granteeType: string;
  @Column({ name: 'grantee_id', type: 'uuid' }) granteeId: string;
  @Column({ type: 'text' }) access: string;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A role's field policy for one object. */
@Entity({ name: 'field_policies' })
export class FieldPolicyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ name: 'role_id', type: 'uuid' }) roleId: string;
  @PrimaryColumn({ type: 'text' }) object: string;
  @Column({ type: 'text' }) mode: string;
  @Column({ type: 'jsonb' }) rules: Record<string, string>;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'integer' }) version: number;
}
