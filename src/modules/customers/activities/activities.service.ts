import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { ListOptions, Page, RecordData } from '../../../platform/records/record.types.js';
import { ident } from '../../../platform/query/sql.js';
import { FieldDef, ObjectDef, registry } from '../../../platform/registry/object-registry.js';
import { ACCOUNT } from '../accounts/account.object.js';
import { CONTACT } from '../contacts/contact.object.js';
import { ACTIVITY } from './activity.object.js';

export type TimelineOptions = Pick<ListOptions, 'filter' | 'limit' | 'cursor' | 'fields' | 'q'>;

@Injectable()
export class ActivitiesService extends ObjectService {
  constructor(records: RecordService) {
    super(records, ACTIVITY);
  }

  /** A task starts open; anything else is logged after the fact and starts completed. */
  override create(ctx: RequestContext, input: { type?: string; status?: string }): Promise<RecordData> {
    return super.create(ctx, {
      ...input,
      status: input.status ?? (input.type === 'task' ? 'open' : 'completed'),
    });
  }

  /**
   * An account's timeline, newest first: activities on the account itself and on the records that
   * belong to it — every object an activity links to that has an `accountId` (its contacts, and
   * the sales module's opportunities). 404 when the account is not visible.
   */
  async accountTimeline(ctx: RequestContext, accountId: string, options: TimelineOptions): Promise<Page> {
    await this.records.get(ctx, ACCOUNT, accountId, { fields: 'id' });
    return this.list(
      ctx,
      { ...options, sort: '-occurredAt' },
      {
        where: (params, t) => {
          const id = params.add(accountId);
          const arms = [`${t}."account_id" = ${id}::uuid`];
          for (const { fk, target } of accountOwnedLinks()) {
            const r = params.alias('tl');
            // `= ANY(ARRAY(…))`, not `IN (…)`: every arm then uses its timeline index (a BitmapOr),
            // where an OR with subqueries makes Postgres scan every activity of the tenant (bench/).
            arms.push(
              `${t}.${ident(fk.column)} = ANY(ARRAY(SELECT ${r}."id" FROM ${ident(target.table)} ${r} WHERE ${r}."account_id" = ${id}::uuid AND ${r}."deleted_at" IS NULL))`,
            );
          }
          return arms.join(' OR ');
        },
      },
    );
  }

  /** A contact's timeline: its activities, newest first. */
  contactTimeline(ctx: RequestContext, contactId: string, options: TimelineOptions): Promise<Page> {
    return this.linkedTimeline(ctx, CONTACT, contactId, options);
  }

  /**
   * The timeline of any record an activity links to (contact, lead, opportunity): the activities
   * whose link to `object` is `id`, newest first. 404 when the record is not visible.
   */
  async linkedTimeline(
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    options: TimelineOptions,
  ): Promise<Page> {
    const link = ACTIVITY.relations.find((r) => r.kind === 'toOne' && r.target === object.name);
    if (link?.kind !== 'toOne') throw new Error(`activities do not link to ${object.name}`);
    const fk = registry.field(ACTIVITY, link.field)!;
    await this.records.get(ctx, object, id, { fields: 'id' });
    return this.list(
      ctx,
      { ...options, sort: '-occurredAt' },
      { where: (params, t) => `${t}.${ident(fk.column)} = ${params.add(id)}::uuid` },
    );
  }
}

/** The activity links to objects that belong to an account (they have an accountId): their activities are the account's too. */
function accountOwnedLinks(): { fk: FieldDef; target: ObjectDef }[] {
  const out: { fk: FieldDef; target: ObjectDef }[] = [];
  for (const rel of ACTIVITY.relations) {
    if (rel.kind !== 'toOne' || rel.target === ACCOUNT.name || !registry.has(rel.target)) continue;
    const target = registry.get(rel.target);
    if (!registry.field(target, 'accountId') || !target.softDelete) continue;
    out.push({ fk: registry.field(ACTIVITY, rel.field)!, target });
  }
  return out;
}
