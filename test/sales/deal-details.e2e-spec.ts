import { CountingLogger } from '../../src/platform/database/query-counter.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import {
  gqlAs,
  newOpportunity,
  newPipeline,
  NO_SUCH_ID,
  ok,
  PipelineFixture,
  Rest,
  restAs,
} from './helpers.js';

describe('opportunities: products, line items and contact roles', () => {
  let t: TestApp;
  let admin: UserFixture;
  let api: Rest;
  let q: ReturnType<typeof gqlAs>;
  let p: PipelineFixture;
  let seat: string;
  let support: string;
  let dollars: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    api = restAs(t, admin);
    q = gqlAs(t, admin);
    p = await newPipeline(t, admin);
    seat = ok<{ id: string }>(
      await api.post('/v1/products', { sku: 'SEAT', name: 'Seat', unitPrice: '240.00', currency: 'EUR' }),
      201,
    ).id;
    support = ok<{ id: string }>(
      await api.post('/v1/products', { sku: 'SUP', name: 'Support', unitPrice: '1000.00', currency: 'EUR' }),
      201,
    ).id;
    dollars = ok<{ id: string }>(
      await api.post('/v1/products', {
        sku: 'USD-SEAT',
        name: 'Seat (US)',
        unitPrice: '260.00',
        currency: 'USD',
      }),
      201,
    ).id;
  });
  afterAll(() => t.close());

  const amountOf = async (id: string) =>
    ok<{ amount: string | null; currency: string | null; version: number }>(
      await api.get(`/v1/opportunities/${id}`),
    );

  describe('products', () => {
    it('keeps the SKU unique per tenant (409 naming sku) and validates price and currency', async () => {
      const dup = await api.post('/v1/products', {
        sku: 'SEAT',
        name: 'Again',
        unitPrice: '1.00',
        currency: 'EUR',
      });
      expect(dup.status).toBe(409);
      expect(dup.body.errors[0]).toMatchObject({ field: 'sku', code: 'duplicate' });
      const bad = await api.post('/v1/products', {
        sku: 'X',
        name: 'X',
        unitPrice: '-1.00',
        currency: 'euro',
      });
      expect(bad.status).toBe(400);
      expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toContain('currency');
      const negative = await api.post('/v1/products', {
        sku: 'X',
        name: 'X',
        unitPrice: '-1.00',
        currency: 'EUR',
      });
      expect(negative.status).toBe(400);
      expect(negative.body.errors[0].field).toBe('unitPrice');
      const renamed = await api.patch(`/v1/products/${support}`, { sku: 'SEAT' });
      expect(renamed.status).toBe(409);
      const list = await api.get('/v1/products', { q: 'seat', sort: 'sku' });
      expect((list.body.data as { sku: string }[]).map((r) => r.sku)).toEqual(['SEAT', 'USD-SEAT']);
    });

    it('works over GraphQL', async () => {
      const res = await q<{ createProduct: { sku: string; unitPrice: string } }>(
        `mutation { createProduct(input: { sku: "GQL", name: "Graph", unitPrice: "9.90", currency: "EUR" }) { sku unitPrice active } }`,
      );
      expect(res.data!.createProduct).toMatchObject({ sku: 'GQL', unitPrice: '9.90' });
      const dup = await q(
        `mutation { createProduct(input: { sku: "GQL", name: "x", unitPrice: "1.00", currency: "EUR" }) { id } }`,
      );
      expect(dup.errors?.[0].extensions?.code).toBe('CONFLICT');
    });
  });

  describe('line items', () => {
    it('keep the amount the sum of the lines through add, update and remove', async () => {
      const o = await newOpportunity(t, admin, p, { amount: '5.00', currency: 'EUR' });
      const first = await api.post(`/v1/opportunities/${o.id}/line-items`, { productId: seat, quantity: 10 });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        productId: seat,
        productName: 'Seat',
        quantity: 10,
        unitPrice: '240.00',
        discountPercent: 0,
        total: '2400.00',
        currency: 'EUR',
      });
      expect(await amountOf(o.id)).toMatchObject({ amount: '2400.00', currency: 'EUR' });

      const second = ok<{ id: string; total: string }>(
        await api.post(`/v1/opportunities/${o.id}/line-items`, {
          productId: support,
          quantity: 1.5,
          unitPrice: '900.00',
          discountPercent: 10,
        }),
        201,
      );
      expect(second.total).toBe('1215.00');
      expect((await amountOf(o.id)).amount).toBe('3615.00');

      const changed = await api.patch(`/v1/opportunities/${o.id}/line-items/${first.body.id}`, {
        quantity: 12,
        discountPercent: 12.5,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        quantity: 12,
        discountPercent: 12.5,
        total: '2520.00',
        version: 2,
      });
      expect((await amountOf(o.id)).amount).toBe('3735.00');

      const backToList = await api.patch(`/v1/opportunities/${o.id}/line-items/${second.id}`, {
        unitPrice: null,
      });
      expect(backToList.body).toMatchObject({ unitPrice: '1000.00', total: '1350.00' });

      const list = await api.get(`/v1/opportunities/${o.id}/line-items`);
      expect((list.body.data as { total: string }[]).map((l) => l.total)).toEqual(['2520.00', '1350.00']);

      expect((await api.del(`/v1/opportunities/${o.id}/line-items/${first.body.id}`)).status).toBe(204);
      expect((await amountOf(o.id)).amount).toBe('1350.00');
      expect((await api.del(`/v1/opportunities/${o.id}/line-items/${second.id}`)).status).toBe(204);
      expect((await amountOf(o.id)).amount).toBe('0.00');
      // Without lines the amount is the client's again.
      expect((await api.patch(`/v1/opportunities/${o.id}`, { amount: '99.00' })).status).toBe(200);

      const [{ n }] = await superSql<{ n: number }>(
        t.databaseUrl,
        `SELECT count(*)::int AS n FROM audit_events WHERE record_id = $1 AND action LIKE 'line_item_%'`,
        [o.id],
      );
      expect(n).toBe(6);
    });

    it('refuses an explicit amount or currency while there are lines (409 naming the field)', async () => {
      const o = await newOpportunity(t, admin, p);
      ok(await api.post(`/v1/opportunities/${o.id}/line-items`, { productId: seat, quantity: 1 }), 201);
      expect(await amountOf(o.id)).toMatchObject({ amount: '240.00', currency: 'EUR' });
      const amount = await api.patch(`/v1/opportunities/${o.id}`, { amount: '1.00' });
      expect(amount.status).toBe(409);
      expect(amount.body.errors[0]).toMatchObject({ field: 'amount', code: 'computed_from_line_items' });
      const currency = await api.patch(`/v1/opportunities/${o.id}`, { currency: 'USD' });
      expect(currency.status).toBe(409);
      expect(currency.body.errors[0].field).toBe('currency');
    });

    it('needs the product in the opportunity’s currency, and validates quantity and discount', async () => {
      const o = await newOpportunity(t, admin, p, { amount: '1.00', currency: 'EUR' });
      const mismatch = await api.post(`/v1/opportunities/${o.id}/line-items`, {
        productId: dollars,
        quantity: 1,
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.errors[0]).toMatchObject({ field: 'productId', code: 'currency_mismatch' });
      for (const [body, field] of [
        [{ productId: seat, quantity: 0 }, 'quantity'],
        [{ productId: seat, quantity: -2 }, 'quantity'],
        [{ productId: seat }, 'quantity'],
        [{ productId: seat, quantity: 1, discountPercent: 101 }, 'discountPercent'],
        [{ productId: seat, quantity: 1, unitPrice: 'cheap' }, 'unitPrice'],
        [{ productId: NO_SUCH_ID, quantity: 1 }, 'productId'],
        [{ quantity: 1 }, 'productId'],
      ] as const) {
        const res = await api.post(`/v1/opportunities/${o.id}/line-items`, body);
        expect(res.status).toBe(400);
        expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
      ok(await api.patch(`/v1/products/${support}`, { active: false }));
      const inactive = await api.post(`/v1/opportunities/${o.id}/line-items`, {
        productId: support,
        quantity: 1,
      });
      expect(inactive.status).toBe(400);
      expect(inactive.body.errors[0].code).toBe('inactive');
      ok(await api.patch(`/v1/products/${support}`, { active: true }));
      const other = await newOpportunity(t, admin, p);
      const line = ok<{ id: string }>(
        await api.post(`/v1/opportunities/${other.id}/line-items`, { productId: seat, quantity: 1 }),
        201,
      );
      expect(
        (await api.patch(`/v1/opportunities/${o.id}/line-items/${line.id}`, { quantity: 2 })).status,
      ).toBe(404);
      expect((await api.del(`/v1/opportunities/${o.id}/line-items/${line.id}`)).status).toBe(404);
    });

    it('works over GraphQL, with the lines on the opportunity', async () => {
      const o = await newOpportunity(t, admin, p);
      const added = await q<{ addOpportunityLineItem: { id: string; total: string } }>(
        `mutation($o: ID!, $p: ID!) { addOpportunityLineItem(opportunityId: $o, input: { productId: $p, quantity: 3, discountPercent: 50 }) { id total } }`,
        { o: o.id, p: seat },
      );
      expect(added.errors).toBeUndefined();
      expect(added.data!.addOpportunityLineItem.total).toBe('360.00');
      const updated = await q<{ updateOpportunityLineItem: { total: string } }>(
        `mutation($o: ID!, $id: ID!) { updateOpportunityLineItem(opportunityId: $o, id: $id, input: { quantity: 4 }) { total } }`,
        { o: o.id, id: added.data!.addOpportunityLineItem.id },
      );
      expect(updated.data!.updateOpportunityLineItem.total).toBe('480.00');
      const read = await q<{ opportunity: { amount: string; lineItems: { sku: string }[] } }>(
        `query($id: ID!) { opportunity(id: $id) { amount lineItems { sku quantity total } } }`,
        { id: o.id },
      );
      expect(read.data!.opportunity).toMatchObject({ amount: '480.00', lineItems: [{ sku: 'SEAT' }] });
      const refused = await q(
        `mutation($id: ID!) { updateOpportunity(id: $id, input: { amount: "1.00" }) { id } }`,
        {
          id: o.id,
        },
      );
      expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');
      const removed = await q(
        `mutation($o: ID!, $id: ID!) { removeOpportunityLineItem(opportunityId: $o, id: $id) }`,
        {
          o: o.id,
          id: added.data!.addOpportunityLineItem.id,
        },
      );
      expect(removed.data).toEqual({ removeOpportunityLineItem: true });
      expect((await amountOf(o.id)).amount).toBe('0.00');
      const bad = await q(
        `mutation($o: ID!, $p: ID!) { addOpportunityLineItem(opportunityId: $o, input: { productId: $p, quantity: 0 }) { id } }`,
        { o: o.id, p: seat },
      );
      expect(bad.errors?.[0].extensions?.errors?.[0].field).toBe('quantity');
    });
  });

  describe('contact roles', () => {
    let acc: string;
    let ada: string;
    let bob: string;
    beforeAll(async () => {
      acc = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Roles Inc' }), 201).id;
      ada = ok<{ id: string }>(await api.post('/v1/contacts', { lastName: 'Ada', accountId: acc }), 201).id;
      bob = ok<{ id: string }>(await api.post('/v1/contacts', { lastName: 'Bob', accountId: acc }), 201).id;
    });

    it('adds, lists and removes roles; isPrimary is the opportunity’s primary contact', async () => {
      const o = await newOpportunity(t, admin, p, { accountId: acc });
      const champion = await api.post(`/v1/opportunities/${o.id}/contact-roles`, {
        contactId: ada,
        role: 'champion',
      });
      expect(champion.status).toBe(201);
      expect(champion.body).toMatchObject({ contactId: ada, role: 'champion', isPrimary: false });
      const buyer = await api.post(`/v1/opportunities/${o.id}/contact-roles`, {
        contactId: bob,
        role: 'economicBuyer',
        isPrimary: true,
      });
      expect(buyer.body.isPrimary).toBe(true);
      expect(
        ok<{ primaryContactId: string }>(await api.get(`/v1/opportunities/${o.id}`)).primaryContactId,
      ).toBe(bob);

      ok(await api.patch(`/v1/opportunities/${o.id}`, { primaryContactId: ada }));
      const list = await api.get(`/v1/opportunities/${o.id}/contact-roles`);
      expect(
        (list.body.data as { contactId: string; isPrimary: boolean }[]).map((r) => [
          r.contactId,
          r.isPrimary,
        ]),
      ).toEqual([
        [ada, true],
        [bob, false],
      ]);

      const dup = await api.post(`/v1/opportunities/${o.id}/contact-roles`, { contactId: ada, role: 'user' });
      expect(dup.status).toBe(409);
      expect(dup.body.errors[0].field).toBe('contactId');
      const bad = await api.post(`/v1/opportunities/${o.id}/contact-roles`, {
        contactId: NO_SUCH_ID,
        role: 'boss',
      });
      expect(bad.status).toBe(400);
      expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['role']);
      const missing = await api.post(`/v1/opportunities/${o.id}/contact-roles`, {
        contactId: NO_SUCH_ID,
        role: 'user',
      });
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0]).toMatchObject({ field: 'contactId', code: 'not_found' });

      expect((await api.del(`/v1/opportunities/${o.id}/contact-roles/${champion.body.id}`)).status).toBe(204);
      expect(
        ok<{ primaryContactId: string | null }>(await api.get(`/v1/opportunities/${o.id}`)).primaryContactId,
      ).toBeNull();
      expect((await api.del(`/v1/opportunities/${o.id}/contact-roles/${champion.body.id}`)).status).toBe(404);
    });

    it('works over GraphQL', async () => {
      const o = await newOpportunity(t, admin, p);
      const added = await q<{ addOpportunityContactRole: { id: string; isPrimary: boolean } }>(
        `mutation($o: ID!, $c: ID!) { addOpportunityContactRole(opportunityId: $o, input: { contactId: $c, role: decisionMaker, isPrimary: true }) { id isPrimary role } }`,
        { o: o.id, c: ada },
      );
      expect(added.errors).toBeUndefined();
      expect(added.data!.addOpportunityContactRole.isPrimary).toBe(true);
      const read = await q<{
        opportunity: { primaryContact: { lastName: string }; contactRoles: { role: string }[] };
      }>(
        `query($id: ID!) { opportunity(id: $id) { primaryContact { lastName } contactRoles { role isPrimary contactId } } }`,
        { id: o.id },
      );
      expect(read.data!.opportunity).toMatchObject({
        primaryContact: { lastName: 'Ada' },
        contactRoles: [{ role: 'decisionMaker', isPrimary: true }],
      });
      const removed = await q(
        `mutation($o: ID!, $id: ID!) { removeOpportunityContactRole(opportunityId: $o, id: $id) }`,
        {
          o: o.id,
          id: added.data!.addOpportunityContactRole.id,
        },
      );
      expect(removed.data).toEqual({ removeOpportunityContactRole: true });
    });
  });

  it('loads a page of opportunities with their stage, account, roles, lines and history in a constant number of statements', async () => {
    const acc = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Batch Inc' }), 201).id;
    const c = ok<{ id: string }>(
      await api.post('/v1/contacts', { lastName: 'Batch', accountId: acc }),
      201,
    ).id;
    for (let i = 0; i < 20; i++) {
      const o = await newOpportunity(t, admin, p, { name: `batch ${i}`, accountId: acc });
      ok(await api.post(`/v1/opportunities/${o.id}/line-items`, { productId: seat, quantity: 1 }), 201);
      ok(await api.post(`/v1/opportunities/${o.id}/contact-roles`, { contactId: c, role: 'user' }), 201);
    }
    const measure = async (first: number) => {
      const before = CountingLogger.statements;
      const res = await q<{ opportunities: { nodes: unknown[] } }>(
        `{ opportunities(first: ${first}, filter: "name startswith 'batch'") { nodes { id stage { name } pipeline { name }
           account { name } primaryContact { id } contactRoles { role } lineItems { total } stageHistory { nodes { toStageName } } } } }`,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.opportunities.nodes).toHaveLength(first);
      return CountingLogger.statements - before;
    };
    await measure(3); // warms the per-tenant caches (principal, field policies)
    const for3 = await measure(3);
    const for20 = await measure(20);
    expect(for20).toBe(for3);
    expect(for20).toBeLessThanOrEqual(15);
  });
});
