import { Injectable } from '@nestjs/common';
import type { AuditFieldFilter } from '../../audit/audit.types.js';
import type { RequestContext } from '../../context/request-context.js';
import { registry } from '../../registry/object-registry.js';
import { FieldPolicy } from './field-policy.js';

/** Audit diffs obey field-level security: the fields a reader may not read leave the diff. */
@Injectable()
export class FieldPolicyAuditFilter implements AuditFieldFilter {
  constructor(private readonly fields: FieldPolicy) {}

  async hiddenFields(ctx: RequestContext, object: string): Promise<ReadonlySet<string>> {
    if (!registry.has(object)) return new Set();
    const access = (await this.fields.resolve(ctx)).for(registry.get(object));
    return new Set(access.object.fields.filter((f) => access.isHidden(f.name)).map((f) => f.name));
  }
}
