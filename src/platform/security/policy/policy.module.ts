import { Global, Module } from '@nestjs/common';
import { AUDIT_FIELD_FILTER } from '../../audit/audit.types.js';
import { FieldPolicyAuditFilter } from './audit-field-filter.js';
import { FieldPolicy } from './field-policy.js';
import { RecordPolicy } from './record-policy.js';

/**
 * Record- and field-level security, one instance per app (global): the record layer enforces
 * them, the sharing admin API changes them (and drops FieldPolicy's cache), and audit reads
 * filter diffs through AUDIT_FIELD_FILTER.
 */
@Global()
@Module({
  providers: [
    RecordPolicy,
    FieldPolicy,
    FieldPolicyAuditFilter,
    { provide: AUDIT_FIELD_FILTER, useExisting: FieldPolicyAuditFilter },
  ],
  exports: [RecordPolicy, FieldPolicy, AUDIT_FIELD_FILTER],
})
export class PolicyModule {}
