import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { registry } from '../../../platform/registry/object-registry.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { PRODUCT } from '../products/product.object.js';
import { invalid, SalesRecords } from '../sales-sql.js';
import type { AddLineItemInput, LineItemDto, UpdateLineItemInput } from './line-item.dto.js';
import { OPPORTUNITY } from './opportunity.object.js';

const COLUMNS = `li.id, li.opportunity_id AS "opportunityId", li.product_id AS "productId", p.name AS "productName",
  p.sku, li.quantity::float8 AS quantity, li.unit_price::text AS "unitPrice", li.discount_percent::float8 AS "discountPercent",
  li.total::text AS total, li.currency, li.description, li.created_at AS "createdAt", li.updated_at AS "updatedAt", li.version`;
const FROM = `opportunity_line_items li JOIN products p ON p.tenant_id = li.tenant_id AND p.id = li.product_id`;

/**
 * Line items: products on an opportunity. A line's total is quantity × unit price × (1 − discount),
 * computed by the database; while an opportunity has lines its amount is their sum and its
 * currency theirs, recomputed (through the record layer: versioned and audited as an update of the
 * opportunity) in the same transaction as the line change. Every line is in the opportunity's
 * currency: a product priced in another currency is refused. Line changes are audited on the
 * opportunity (`line_item_add`, `line_item_update`, `line_item_remove`).
 *
 * Reading needs read on the opportunity and `amount` readable (lines add up to it); changing
 * needs update on a visible, writable opportunity, read on products, and edit on amount.
 */
@Injectable()
export class LineItemsService {
  constructor(
    private readonly db: TenantDb,
    private readonly records: RecordService,
    private readonly sales: SalesRecords,
    private readonly audit: AuditService,
    private readonly fieldPolicy: FieldPolicy,
  ) {}

  async list(ctx: RequestContext, opportunityId: string): Promise<LineItemDto[]> {
    assertPermission(ctx, 'opportunities:read');
    await this.records.get(ctx, OPPORTUNITY, opportunityId, { fields: 'id' });
    return (await this.listMany(ctx, [opportunityId])).get(opportunityId) ?? [];
  }

  /** The lines of several (already visible) opportunities in one statement (GraphQL). */
  async listMany(
    ctx: RequestContext,
    opportunityIds: readonly string[],
  ): Promise<Map<string, LineItemDto[]>> {
    assertPermission(ctx, 'opportunities:read');
    const access = await this.fieldPolicy.resolve(ctx);
    access.checker(OPPORTUNITY)(OPPORTUNITY, registry.field(OPPORTUNITY, 'amount')!);
    const rows: LineItemDto[] = await this.db.run(ctx, (em) =>
      em.query(
        `SELECT ${COLUMNS} FROM ${FROM} WHERE li.opportunity_id = ANY($1::uuid[]) ORDER BY li.opportunity_id, li.id`,
        [opportunityIds],
      ),
    );
    const out = new Map<string, LineItemDto[]>(opportunityIds.map((id) => [id, []]));
    for (const row of rows) out.get(row.opportunityId)?.push(row);
    return out;
  }

  async add(ctx: RequestContext, opportunityId: string, input: AddLineItemInput): Promise<LineItemDto> {
    assertPermission(ctx, 'opportunities:update', 'products:read');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const opportunity = await this.sales.lockWritable(em, tx, OPPORTUNITY, opportunityId, [
        'currency',
        'amount',
      ]);
      const product = (await this.records.getMany(tx, PRODUCT, [input.productId])).get(input.productId);
      if (!product)
        throw invalid('productId', 'not_found', `productId refers to no product (${input.productId})`);
      if (product.active === false)
        throw invalid('productId', 'inactive', 'the product is inactive and cannot be added');
      const currency = (opportunity.currency as string | null) ?? (product.currency as string);
      if (product.currency !== currency)
        throw invalid(
          'productId',
          'currency_mismatch',
          `the product is priced in ${String(product.currency)} but the opportunity is in ${currency}`,
        );
      const id = newId();
      await em.query(
        `INSERT INTO opportunity_line_items
           (tenant_id, id, opportunity_id, product_id, quantity, unit_price, discount_percent, currency, description)
         VALUES (app_tenant_id(), $1::uuid, $2::uuid, $3::uuid, $4::numeric, $5::numeric, $6::numeric, $7, $8)`,
        [
          id,
          opportunityId,
          input.productId,
          input.quantity,
          input.unitPrice ?? product.unitPrice,
          input.discountPercent ?? 0,
          currency,
          input.description ?? null,
        ],
      );
      const item = (await this.one(em, id))!;
      await this.recompute(em, tx, opportunity, opportunityId, currency);
      await this.audited(em, tx, 'line_item_add', opportunityId, null, item);
      return item;
    });
  }

  async update(
    ctx: RequestContext,
    opportunityId: string,
    itemId: string,
    patch: UpdateLineItemInput,
  ): Promise<LineItemDto> {
    assertPermission(ctx, 'opportunities:update', 'products:read');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const opportunity = await this.sales.lockWritable(em, tx, OPPORTUNITY, opportunityId, [
        'currency',
        'amount',
      ]);
      const before = await this.itemOf(em, opportunityId, itemId);
      // null unitPrice: back to the product's current price
      await em.query(
        `UPDATE opportunity_line_items li SET
            quantity = coalesce($2::numeric, li.quantity),
            unit_price = CASE WHEN $3 THEN coalesce($4::numeric, (SELECT p.unit_price FROM products p WHERE p.id = li.product_id)) ELSE li.unit_price END,
            discount_percent = coalesce($5::numeric, li.discount_percent),
            description = CASE WHEN $6 THEN $7 ELSE li.description END,
            version = li.version + 1, updated_at = now()
          WHERE li.id = $1::uuid`,
        [
          itemId,
          patch.quantity ?? null,
          patch.unitPrice !== undefined,
          patch.unitPrice ?? null,
          patch.discountPercent ?? null,
          patch.description !== undefined,
          patch.description ?? null,
        ],
      );
      const after = (await this.one(em, itemId))!;
      await this.recompute(em, tx, opportunity, opportunityId, after.currency);
      await this.audited(em, tx, 'line_item_update', opportunityId, before, after);
      return after;
    });
  }

  async remove(ctx: RequestContext, opportunityId: string, itemId: string): Promise<void> {
    assertPermission(ctx, 'opportunities:update');
    await this.fieldPolicy.resolve(ctx);
    await this.db.inTransaction(ctx, async (tx, em) => {
      const opportunity = await this.sales.lockWritable(em, tx, OPPORTUNITY, opportunityId, [
        'currency',
        'amount',
      ]);
      const before = await this.itemOf(em, opportunityId, itemId);
      await em.query(`DELETE FROM opportunity_line_items WHERE id = $1::uuid`, [itemId]);
      await this.recompute(em, tx, opportunity, opportunityId, before.currency);
      await this.audited(em, tx, 'line_item_remove', opportunityId, before, null);
    });
  }

  /** amount ← the sum of the lines (0.00 once the last one is gone), through the record layer. */
  private async recompute(
    em: EntityManager,
    ctx: RequestContext,
    opportunity: RecordData,
    opportunityId: string,
    currency: string,
  ): Promise<void> {
    const [{ sum }] = (await em.query(
      `SELECT coalesce(sum(total), 0)::numeric(20, 2)::text AS sum FROM opportunity_line_items WHERE opportunity_id = $1::uuid`,
      [opportunityId],
    )) as { sum: string }[];
    if (opportunity.amount === sum && opportunity.currency === currency) return;
    await this.records.update(ctx, OPPORTUNITY, opportunityId, { amount: sum, currency });
  }

  private async itemOf(em: EntityManager, opportunityId: string, itemId: string): Promise<LineItemDto> {
    const item = await this.one(em, itemId);
    if (item?.opportunityId !== opportunityId)
      throw new DomainError('NOT_FOUND', `No line item ${itemId} on opportunity ${opportunityId}.`);
    return item;
  }

  private async one(em: EntityManager, id: string): Promise<LineItemDto | undefined> {
    const rows: LineItemDto[] = await em.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE li.id = $1::uuid`, [id]);
    return rows[0];
  }

  private async audited(
    em: EntityManager,
    ctx: RequestContext,
    action: string,
    opportunityId: string,
    before: LineItemDto | null,
    after: LineItemDto | null,
  ): Promise<void> {
    const snapshot = (i: LineItemDto | null) =>
      i && {
        id: i.id,
        productId: i.productId,
        quantity: i.quantity,
        unitPrice: i.unitPrice,
        discountPercent: i.discountPercent,
        total: i.total,
      };
    await this.audit.record(em, ctx, {
      action,
      object: OPPORTUNITY.name,
      recordId: opportunityId,
      changes: { lineItem: { before: snapshot(before), after: snapshot(after) } },
    });
  }
}
