import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../context/request-context.js';
import { newId } from '../database/ids.js';

/** One event: `type` is `<object>.<event>` (e.g. `cases.sla_breached`), `object` the registry plural. */
export interface OutboxEvent {
  type: string;
  object: string;
  recordId?: string | null;
  /** ids, changed field names and non-sensitive facts only — never field values (see the migration) */
  payload?: Record<string, unknown>;
  /** `payload` already serialised (bulk writers share one text among many events); wins over payload */
  payloadJson?: string;
}

const TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z][a-z_]{0,39}$/;

/** Past tense of the record layer's writes, for `<object>.<event>` types. */
export const RECORD_EVENTS = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  restore: 'restored',
} as const;

/**
 * The transactional outbox (migrations/0008_outbox.sql, DESIGN §9): `emit` appends events in the
 * caller's open transaction, so they commit exactly when the write they report commits. One
 * statement per call, whatever the number of events.
 */
@Injectable()
export class OutboxService {
  async emit(em: EntityManager, ctx: RequestContext, events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ids: string[] = [];
    const types: string[] = [];
    const objects: string[] = [];
    const records: (string | null)[] = [];
    const payloads: string[] = [];
    let checked = '';
    for (const e of events) {
      if (e.type !== checked) {
        if (!TYPE_RE.test(e.type))
          throw new Error(`outbox event type ${JSON.stringify(e.type)} is not <object>.<event>`);
        checked = e.type;
      }
      ids.push(newId());
      types.push(e.type);
      objects.push(e.object);
      records.push(e.recordId ?? null);
      payloads.push(e.payloadJson ?? JSON.stringify(e.payload ?? {}));
    }
    // One statement whose text never changes (TenantDb prepares statements by their text), the
    // columns as JSON arrays: JSON.stringify is native and makes one string per column, where pg's
    // array literals escape element by element (bulk imports emit thousands of events per call).
    await em.query(
      `INSERT INTO outbox_events (tenant_id, id, type, object, record_id, payload, request_id, channel)
       SELECT app_tenant_id(), e.id::uuid, e.type, e.object, e.record_id::uuid, e.payload, $6, $7
         FROM ROWS FROM (json_array_elements_text($1::json), json_array_elements_text($2::json),
                         json_array_elements_text($3::json), json_array_elements_text($4::json),
                         jsonb_array_elements($5::jsonb)) AS e(id, type, object, record_id, payload)`,
      [
        JSON.stringify(ids),
        JSON.stringify(types),
        JSON.stringify(objects),
        JSON.stringify(records),
        `[${payloads.join(',')}]`,
        ctx.requestId,
        ctx.channel,
      ],
    );
  }
}
