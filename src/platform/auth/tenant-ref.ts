import { RequestContext } from '../context/request-context.js';

/** A caller's context, or a bare tenant id for system work (bootstrap, factories, jobs). */
export type TenantRef = RequestContext | string;

export function tenantIdOf(ref: TenantRef): string {
  return typeof ref === 'string' ? ref : ref.tenantId;
}
