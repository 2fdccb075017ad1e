import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { ListOptions, Page, RecordData } from '../../../platform/records/record.types.js';
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
   * An account's timeline: activities on the account itself or on any of its contacts, newest
   * first. 404 when the account is not visible.
   */
  async accountTimeline(ctx: RequestContext, accountId: string, options: TimelineOptions): Promise<Page> {
    await this.records.get(ctx, ACCOUNT, accountId, { fields: 'id' });
    return this.list(
      ctx,
      { ...options, sort: '-occurredAt' },
      {
        where: (params, t) => {
          const id = params.add(accountId);
          // `= ANY(ARRAY(…))`, not `IN (…)`: both arms then use their timeline index (a BitmapOr),
          // where an OR with a subquery makes Postgres scan every activity of the tenant.
          return `${t}."account_id" = ${id}::uuid OR ${t}."contact_id" = ANY(ARRAY(SELECT c."id" FROM "contacts" c WHERE c."account_id" = ${id}::uuid AND c."deleted_at" IS NULL))`;
        },
      },
    );
  }

  /** A contact's timeline: its activities, newest first. */
  async contactTimeline(ctx: RequestContext, contactId: string, options: TimelineOptions): Promise<Page> {
    await this.records.get(ctx, CONTACT, contactId, { fields: 'id' });
    return this.list(
      ctx,
      { ...options, sort: '-occurredAt' },
      {
        where: (params, t) => `${t}."contact_id" = ${params.add(contactId)}::uuid`,
      },
    );
  }
}
