import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { ACCOUNT } from './account.object.js';

interface Money {
  annualRevenue?: string | null;
  currency?: string | null;
}

@Injectable()
export class AccountsService extends ObjectService {
  constructor(records: RecordService) {
    super(records, ACCOUNT);
  }

  override create(ctx: RequestContext, input: Money): Promise<RecordData> {
    requireCurrency(input.annualRevenue, input.currency);
    return super.create(ctx, input);
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: Money,
    expectedVersion?: number,
  ): Promise<RecordData> {
    if (patch.annualRevenue != null && patch.currency === undefined) {
      const current = await this.get(ctx, id, { fields: 'currency' });
      requireCurrency(patch.annualRevenue, current.currency as string | null);
    } else {
      requireCurrency(patch.annualRevenue, patch.currency);
    }
    return super.update(ctx, id, patch, expectedVersion);
  }
}

/** Money is a decimal plus its ISO 4217 currency (DESIGN §5); an amount without one is refused. */
function requireCurrency(amount: string | null | undefined, currency: string | null | undefined): void {
  if (amount != null && currency == null) {
    throw new DomainError('VALIDATION_FAILED', 'annualRevenue needs a currency.', [
      { field: 'currency', code: 'required', message: 'currency is required when annualRevenue is set' },
    ]);
  }
}
