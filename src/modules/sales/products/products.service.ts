import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { conflict, invalid } from '../sales-sql.js';
import { PRODUCT } from './product.object.js';

/**
 * Products: the generic record operations, with the SKU unique per tenant (a 409 naming `sku`,
 * checked in the write's transaction; the unique index settles a race the same way) and a
 * positive price.
 */
@Injectable()
export class ProductsService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    super(records, PRODUCT);
  }

  override async create(
    ctx: RequestContext,
    input: { sku?: string; unitPrice?: string },
  ): Promise<RecordData> {
    this.require(ctx, 'create');
    checkPrice(input.unitPrice);
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      await uniqueSku(em, input.sku, null);
      return super.create(tx, input);
    });
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: { sku?: string; unitPrice?: string },
    expectedVersion?: number,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    checkPrice(patch.unitPrice);
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      await uniqueSku(em, patch.sku, id);
      return super.update(tx, id, patch, expectedVersion);
    });
  }
}

async function uniqueSku(em: EntityManager, sku: string | undefined, self: string | null): Promise<void> {
  if (sku === undefined || sku === null) return;
  const rows: { id: string }[] = await em.query(
    `SELECT id FROM products WHERE sku = $1 AND id IS DISTINCT FROM $2::uuid LIMIT 1`,
    [sku, self],
  );
  if (rows.length > 0) throw conflict('sku', 'duplicate', `another product already has the sku ${sku}`);
}

function checkPrice(price: string | null | undefined): void {
  if (typeof price === 'string' && price.startsWith('-'))
    throw invalid('unitPrice', 'negative', 'unitPrice cannot be negative');
}
