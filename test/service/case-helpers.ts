import { jest } from '@jest/globals';
import { ServiceClock } from '../../src/modules/service/service-clock.js';
import { TestApp } from '../harness/app.js';
import { UserFixture } from '../harness/factories.js';
import { ok, restAs } from '../sales/helpers.js';

export { gqlAs, ok, restAs } from '../sales/helpers.js';

export interface CaseBody {
  id: string;
  number: string;
  status: string;
  priority: string;
  queueId: string | null;
  assigneeId: string | null;
  slaPolicyId: string | null;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstRespondedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  slaPausedAt: string | null;
  businessFirstResponseMinutes: string | null;
  businessResolutionMinutes: string | null;
  createdAt: string;
  version: number;
  [key: string]: unknown;
}

/** A case made through the API. */
export async function newCase(
  t: TestApp,
  u: UserFixture,
  body: Record<string, unknown> = {},
): Promise<CaseBody> {
  return ok<CaseBody>(await restAs(t, u).post('/v1/cases', { subject: 'Printer on fire', ...body }), 201);
}

/** A case queue with members, made through the API by an administrator. */
export async function newQueue(t: TestApp, admin: UserFixture, memberIds: string[] = [], name = 'Tier 1') {
  const api = restAs(t, admin);
  const queue = ok<{ id: string }>(await api.post('/v1/case-queues', { name }), 201);
  if (memberIds.length)
    ok(
      await api.put(`/v1/case-queues/${queue.id}/members`, {
        members: memberIds.map((userId) => ({ userId })),
      }),
    );
  return queue.id;
}

/** A 24/7 UTC calendar (the obvious one for hand-computed due times). */
export const ALWAYS = {
  timeZone: 'UTC',
  weeklyHours: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]),
  ),
};

/** Mon–Fri 09:00–17:00 Europe/Berlin. */
export const BERLIN_OFFICE = {
  timeZone: 'Europe/Berlin',
  weeklyHours: {
    mon: [{ start: '09:00', end: '17:00' }],
    tue: [{ start: '09:00', end: '17:00' }],
    wed: [{ start: '09:00', end: '17:00' }],
    thu: [{ start: '09:00', end: '17:00' }],
    fri: [{ start: '09:00', end: '17:00' }],
    sat: [],
    sun: [],
  },
};

export async function newCalendar(
  t: TestApp,
  admin: UserFixture,
  spec: object,
  name = 'Hours',
): Promise<string> {
  return ok<{ id: string }>(await restAs(t, admin).post('/v1/business-calendars', { name, ...spec }), 201).id;
}

export async function newPolicy(
  t: TestApp,
  admin: UserFixture,
  body: Record<string, unknown>,
): Promise<string> {
  return ok<{ id: string }>(await restAs(t, admin).post('/v1/sla-policies', { name: 'SLA', ...body }), 201)
    .id;
}

/** Moves the service clock: every case timestamp and SLA computation reads it. */
export function setClock(t: TestApp, at: Date | string): void {
  const d = new Date(at);
  jest.spyOn(t.app.get(ServiceClock), 'now').mockImplementation(() => new Date(d));
}

export const plusMinutes = (at: string | Date, minutes: number): string =>
  new Date(new Date(at).getTime() + minutes * 60_000).toISOString();
