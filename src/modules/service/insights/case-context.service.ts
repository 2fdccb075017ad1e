import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { col, ident } from '../../../platform/query/sql.js';
import { type ListScope, RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { ObjectDef, registry } from '../../../platform/registry/object-registry.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../../platform/security/policy/record-policy.js';
import { CASE } from '../cases/case.object.js';
import { KnowledgeArticlesService } from '../knowledge/knowledge-articles.service.js';

/** The parts of a case's context, as named in `restricted`. */
export const CONTEXT_PARTS = [
  'contact',
  'account',
  'openOpportunities',
  'recentCases',
  'recentActivities',
  'suggestedArticles',
] as const;
export type ContextPart = (typeof CONTEXT_PARTS)[number];

export const RECENT_CASES = 10;
export const RECENT_ACTIVITIES = 20;
export const OPEN_OPPORTUNITIES = 20;
export const SUGGESTED_ARTICLES = 5;

/** The fields of the other cases listed (those the caller may read). */
const CASE_SUMMARY = [
  'id',
  'number',
  'subject',
  'status',
  'priority',
  'channel',
  'contactId',
  'accountId',
  'assigneeId',
  'createdAt',
  'resolvedAt',
  'version',
  'updatedAt',
];

export interface CaseContext {
  caseId: string;
  contact: RecordData | null;
  account: RecordData | null;
  openOpportunities: RecordData[] | null;
  recentCases: RecordData[] | null;
  recentActivities: RecordData[] | null;
  suggestedArticles: RecordData[] | null;
  restricted: ContextPart[];
}

/** Errors that mean "the caller may not see this part": it is withheld, not the whole call refused. */
const WITHHELD = new Set(['FORBIDDEN', 'FORBIDDEN_FIELD', 'NOT_FOUND']);

/**
 * The 360° context of a case (docs/service.md#360-context): its contact and account, their open
 * opportunities, their other recent cases, their recent activities and suggested knowledge
 * articles — every part read through the record layer (object permission, record-level read
 * predicate, field policy), so a part is exactly what the caller would get by asking for it
 * directly. A part the caller may not read (no permission, a record not visible, a field it
 * depends on hidden) is null and named in `restricted`; the case itself must be readable (404).
 */
@Injectable()
export class CaseContextService {
  private readonly services = new Map<string, ObjectService>();

  constructor(
    private readonly records: RecordService,
    private readonly fieldPolicy: FieldPolicy,
    private readonly policy: RecordPolicy,
    private readonly knowledge: KnowledgeArticlesService,
  ) {}

  async context(ctx: RequestContext, caseId: string): Promise<CaseContext> {
    const fields = await this.readable(ctx, CASE, ['id', 'subject', 'contactId', 'accountId']);
    return this.build(ctx, await this.of(CASE).get(ctx, caseId, { fields }));
  }

  private async build(ctx: RequestContext, kase: RecordData): Promise<CaseContext> {
    const restricted = new Set<ContextPart>();
    const caseId = kase.id as string;
    const withhold = async <T>(part: ContextPart, work: () => Promise<T>): Promise<T | null> => {
      try {
        return await work();
      } catch (e) {
        if (e instanceof DomainError && WITHHELD.has(e.code)) {
          restricted.add(part);
          return null;
        }
        throw e;
      }
    };
    // A link hidden by field policy: everything found through it is withheld.
    const contactId = 'contactId' in kase ? (kase.contactId as string | null) : undefined;
    let accountId = 'accountId' in kase ? (kase.accountId as string | null) : undefined;
    const contact =
      contactId === undefined
        ? (restricted.add('contact'), null)
        : contactId === null
          ? null
          : await withhold('contact', () => this.of(registry.get('contact')).get(ctx, contactId));
    // no account on the case: the contact's account, when the caller may see that link
    if (!accountId && contact && typeof contact.accountId === 'string') accountId = contact.accountId;
    const [account, openOpportunities, recentCases, recentActivities, suggestedArticles] = await Promise.all([
      accountId === undefined
        ? (restricted.add('account'), null)
        : accountId === null
          ? null
          : withhold('account', () => this.of(registry.get('account')).get(ctx, accountId)),
      this.linked(ctx, 'openOpportunities', registry.get('opportunity'), withhold, {
        links: { primaryContactId: contactId, accountId },
        where: [{ closedAt: { eq: null } }],
        sort: 'closeDate,createdAt',
        limit: OPEN_OPPORTUNITIES,
      }),
      this.linked(ctx, 'recentCases', CASE, withhold, {
        links: { contactId, accountId },
        where: [{ id: { ne: caseId } }],
        sort: '-createdAt',
        limit: RECENT_CASES,
        fields: CASE_SUMMARY,
        newest: 'created_at',
        exclude: caseId,
      }),
      this.linked(ctx, 'recentActivities', registry.get('activity'), withhold, {
        links: { contactId, accountId },
        where: [],
        sort: '-occurredAt',
        limit: RECENT_ACTIVITIES,
        newest: 'occurred_at',
      }),
      'subject' in kase
        ? withhold('suggestedArticles', () =>
            this.knowledge.suggest(ctx, String(kase.subject), SUGGESTED_ARTICLES),
          )
        : (restricted.add('suggestedArticles'), null),
    ]);
    return {
      caseId,
      contact,
      account,
      openOpportunities,
      recentCases,
      recentActivities,
      suggestedArticles,
      restricted: CONTEXT_PARTS.filter((p) => restricted.has(p)),
    };
  }

  /**
   * A list of `object` records linked to the case's contact or account through the given fields,
   * plus `where`. Undefined link values (hidden on the case) withhold the part; no link at all gives
   * an empty list.
   *
   * With `newest` (the column the list is sorted by, descending), each link is an "arm" that takes
   * its own first `limit + 1` rows in the list's order (newest DESC, then the record layer's id
   * tiebreak) through its (link, newest DESC, id DESC) index, under the
   * caller's read predicate, and the list (still through the record layer: read predicate, field
   * policy, sort) is made of their union: the cost stays that of a few index probes however many
   * cases or activities a large account has (an OR of the links in the filter would fetch and sort
   * all of them). Otherwise the links are OR-ed into the filter.
   */
  private async linked(
    ctx: RequestContext,
    part: ContextPart,
    object: ObjectDef,
    withhold: <T>(part: ContextPart, work: () => Promise<T>) => Promise<T | null>,
    q: {
      links: Record<string, string | null | undefined>;
      where: object[];
      sort: string;
      limit: number;
      fields?: string[];
      newest?: string;
      exclude?: string;
    },
  ): Promise<RecordData[] | null> {
    const values = Object.values(q.links);
    if (values.some((v) => v === undefined)) return withhold(part, () => Promise.reject(hidden()));
    const links = Object.entries(q.links).filter((e): e is [string, string] => typeof e[1] === 'string');
    return withhold(part, async () => {
      const service = this.of(object);
      if (links.length === 0) {
        // nothing to link by: still a permission check, so a caller without read sees `restricted`
        await service.list(ctx, { limit: 1, fields: 'id', filter: { id: { eq: null } } });
        return [];
      }
      const fields = q.fields ? await this.readable(ctx, object, q.fields) : undefined;
      if (!q.newest) {
        const arms = links.map(([field, v]) => ({ [field]: { eq: v } }));
        const filter = { and: [...q.where, arms.length === 1 ? arms[0] : { or: arms }] };
        return (await service.list(ctx, { filter, sort: q.sort, limit: q.limit, fields })).data;
      }
      // Filtering by a hidden link field is refused (403) like any filter on it: so is this.
      const access = await this.fieldPolicy.resolve(ctx);
      for (const [field] of links) access.checker(object)(object, registry.field(object, field)!);
      const filter = q.where.length > 0 ? { and: q.where } : undefined;
      const options = { filter, sort: q.sort, limit: q.limit, fields };
      const newest = q.newest;
      const scope: ListScope = {
        where: (params, t) => {
          const selects = links.map(([field, value]) => {
            const a = params.alias('ln');
            const column = registry.field(object, field)!.column;
            const where = [
              `${col(a, column)} = ${params.add(value)}::uuid`,
              `${col(a, 'deleted_at')} IS NULL`,
            ];
            if (q.exclude) where.push(`${col(a, 'id')} <> ${params.add(q.exclude)}::uuid`);
            const visible = this.policy.readPredicate(ctx, object, a, params);
            if (visible) where.push(visible);
            return `(SELECT ${col(a, 'id')} FROM ${ident(object.table)} ${a} WHERE ${where.join(' AND ')}
                     ORDER BY ${col(a, newest)} DESC, ${col(a, 'id')} LIMIT ${q.limit + 1})`;
          });
          return `${col(t, 'id')} = ANY(ARRAY(${selects.join(' UNION ALL ')}))`;
        },
      };
      return (await service.list(ctx, options, scope)).data;
    });
  }

  /** The names among `wanted` the caller may read (so a hidden one is left out rather than refused). */
  private async readable(ctx: RequestContext, object: ObjectDef, wanted: string[]): Promise<string[]> {
    const access = (await this.fieldPolicy.resolve(ctx)).for(object);
    return wanted.filter((f) => !access.isHidden(f));
  }

  private of(object: ObjectDef): ObjectService {
    let service = this.services.get(object.name);
    if (!service) {
      service = new ObjectService(this.records, object);
      this.services.set(object.name, service);
    }
    return service;
  }
}

const hidden = (): DomainError =>
  new DomainError('FORBIDDEN_FIELD', 'A link this part depends on is hidden from you.');
