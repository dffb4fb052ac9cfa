import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slaRoutes } from '../src/server/routes/sla/index.js';
import { addBusinessMinutes, businessMinutesBetween } from '../src/sla/business-time.js';
import {
  BusinessCalendarSchema,
  DEFAULT_POLICIES,
  matchPolicy,
  SlaSettingsSchema,
  type BusinessCalendar,
} from '../src/sla/settings.js';
import { applySla, slaState } from '../src/sla/state.js';
import { sweepSla } from '../src/sla/sweep.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

const cal = (over: Partial<BusinessCalendar> = {}) => BusinessCalendarSchema.parse(over);
const at = (iso: string) => new Date(iso);
const MIN = 60_000;

// ── business-time arithmetic (pure) ─────────────────────────────────────────
describe('business time', () => {
  const weekdays = cal(); // Mon–Fri 09:00–17:00 UTC

  it('adds minutes within a day, across nights and over the weekend', () => {
    expect(addBusinessMinutes(at('2026-06-01T09:00:00Z'), 240, weekdays)).toEqual(at('2026-06-01T13:00:00Z'));
    // before opening
    expect(addBusinessMinutes(at('2026-06-01T07:00:00Z'), 30, weekdays)).toEqual(at('2026-06-01T09:30:00Z'));
    // due at the close
    expect(addBusinessMinutes(at('2026-06-01T16:00:00Z'), 60, weekdays)).toEqual(at('2026-06-01T17:00:00Z'));
    expect(addBusinessMinutes(at('2026-06-01T16:00:00Z'), 61, weekdays)).toEqual(at('2026-06-02T09:01:00Z'));
    // Fri → Mon
    expect(addBusinessMinutes(at('2026-06-05T16:00:00Z'), 120, weekdays)).toEqual(at('2026-06-08T10:00:00Z'));
    // from a Saturday
    expect(addBusinessMinutes(at('2026-06-06T12:00:00Z'), 60, weekdays)).toEqual(at('2026-06-08T10:00:00Z'));
    expect(addBusinessMinutes(at('2026-06-01T09:00:00Z'), 1440, weekdays)).toEqual(at('2026-06-03T17:00:00Z'));
    expect(addBusinessMinutes(at('2026-06-06T12:00:00Z'), 0, weekdays)).toEqual(at('2026-06-06T12:00:00Z'));
  });

  it('counts business minutes between instants, both ways', () => {
    expect(businessMinutesBetween(at('2026-06-05T16:00:00Z'), at('2026-06-08T10:00:00Z'), weekdays)).toBe(120);
    expect(businessMinutesBetween(at('2026-06-08T10:00:00Z'), at('2026-06-05T16:00:00Z'), weekdays)).toBe(-120);
    expect(businessMinutesBetween(at('2026-06-06T00:00:00Z'), at('2026-06-07T23:59:00Z'), weekdays)).toBe(0);
    expect(businessMinutesBetween(at('2026-06-01T00:00:00Z'), at('2026-06-08T00:00:00Z'), weekdays)).toBe(5 * 480);
    expect(businessMinutesBetween(at('2026-06-01T09:00:30Z'), at('2026-06-01T09:02:00Z'), weekdays)).toBe(1.5);
  });

  it('skips holidays', () => {
    const withHoliday = cal({ holidays: ['2026-06-08'] });
    expect(addBusinessMinutes(at('2026-06-05T16:00:00Z'), 120, withHoliday)).toEqual(at('2026-06-09T10:00:00Z'));
    expect(businessMinutesBetween(at('2026-06-05T16:00:00Z'), at('2026-06-09T10:00:00Z'), withHoliday)).toBe(120);
  });

  it('lets ranges run overnight', () => {
    const nights = cal({ days: { '1': ['22:00-06:00'] } }); // Monday night into Tuesday
    expect(addBusinessMinutes(at('2026-06-01T23:00:00Z'), 60, nights)).toEqual(at('2026-06-02T00:00:00Z'));
    expect(addBusinessMinutes(at('2026-06-02T01:00:00Z'), 300, nights)).toEqual(at('2026-06-02T06:00:00Z'));
    expect(addBusinessMinutes(at('2026-06-02T01:00:00Z'), 301, nights)).toEqual(at('2026-06-08T22:01:00Z'));
    expect(businessMinutesBetween(at('2026-06-01T00:00:00Z'), at('2026-06-08T00:00:00Z'), nights)).toBe(480);
    // Overlapping ranges are merged, not counted twice.
    const overlap = cal({ days: { '1': ['20:00-02:00'], '2': ['00:00-03:00'] } });
    expect(businessMinutesBetween(at('2026-06-01T00:00:00Z'), at('2026-06-03T00:00:00Z'), overlap)).toBe(7 * 60);
  });

  it('follows the time zone and daylight-saving changes', () => {
    const berlin = cal({ timezone: 'Europe/Berlin' });
    // Fri 2026-03-27 16:00 CET (15:00Z) + 2 h → Mon 2026-03-30 10:00 CEST (08:00Z): the clocks moved on Sunday.
    expect(addBusinessMinutes(at('2026-03-27T15:00:00Z'), 120, berlin)).toEqual(at('2026-03-30T08:00:00Z'));
    expect(businessMinutesBetween(at('2026-03-27T15:00:00Z'), at('2026-03-30T08:00:00Z'), berlin)).toBe(120);
    // Autumn: Fri 2026-10-23 16:00 CEST (14:00Z) + 2 h → Mon 10:00 CET (09:00Z).
    expect(addBusinessMinutes(at('2026-10-23T14:00:00Z'), 120, berlin)).toEqual(at('2026-10-26T09:00:00Z'));
    // A whole local day is 23 hours when the clocks spring forward and 25 when they fall back.
    const sundays = cal({ timezone: 'America/New_York', days: { '0': ['00:00-24:00'] } });
    expect(businessMinutesBetween(at('2026-03-08T05:00:00Z'), at('2026-03-09T04:00:00Z'), sundays)).toBe(23 * 60);
    expect(businessMinutesBetween(at('2026-11-01T04:00:00Z'), at('2026-11-02T05:00:00Z'), sundays)).toBe(25 * 60);
    expect(addBusinessMinutes(at('2026-03-08T05:00:00Z'), 23 * 60, sundays)).toEqual(at('2026-03-09T04:00:00Z'));
    const tokyo = cal({ timezone: 'Asia/Tokyo' });
    // 09:00–17:00 JST
    expect(addBusinessMinutes(at('2026-06-01T00:00:00Z'), 480, tokyo)).toEqual(at('2026-06-01T08:00:00Z'));
  });

  it('runs around the clock when always open, and refuses calendars that are never open', () => {
    const always = cal({ alwaysOpen: true });
    expect(addBusinessMinutes(at('2026-06-06T12:00:00Z'), 90, always)).toEqual(at('2026-06-06T13:30:00Z'));
    expect(businessMinutesBetween(at('2026-06-06T12:00:00Z'), at('2026-06-06T13:30:00Z'), always)).toBe(90);
    expect(BusinessCalendarSchema.safeParse({ days: {} }).success).toBe(false);
    expect(BusinessCalendarSchema.safeParse({ days: { '1': ['09:00-09:00'] } }).success).toBe(false);
    expect(BusinessCalendarSchema.safeParse({ timezone: 'Mars/Olympus' }).success).toBe(false);
    expect(BusinessCalendarSchema.safeParse({ holidays: ['2026-13-01'] }).success).toBe(false);
  });
});

describe('policies', () => {
  it('match by tier and priority, first match wins', () => {
    const s = SlaSettingsSchema.parse({});
    expect(s.policies).toEqual(DEFAULT_POLICIES);
    expect(matchPolicy(s, 'enterprise', 'urgent')).toMatchObject({
      name: 'Enterprise urgent',
      firstResponseMinutes: 30,
      resolutionMinutes: 240,
      businessHours: false,
    });
    expect(matchPolicy(s, 'Enterprise', 'low')?.name).toBe('Enterprise');
    expect(matchPolicy(s, 'pro', 'normal')).toMatchObject({
      name: 'Pro',
      firstResponseMinutes: 240,
      resolutionMinutes: 1440,
    });
    expect(matchPolicy(s, 'free', 'urgent')).toMatchObject({
      name: 'Free',
      firstResponseMinutes: 1440,
      resolutionMinutes: 4320,
    });
    expect(matchPolicy({ ...s, policies: [] }, 'free', 'low')).toBeNull();
  });

  it('gives a state: met, breached, minutes left', () => {
    const due = {
      slaPolicy: 'P',
      firstResponseDueAt: at('2026-06-01T10:00:00Z'),
      resolutionDueAt: at('2026-06-02T10:00:00Z'),
      slaEscalatedAt: null,
      closedAt: null,
      slaPausedAt: null,
    };
    const s = slaState({ ...due, firstResponseAt: null, resolvedAt: null }, at('2026-06-01T09:45:00Z'));
    expect(s.firstResponse).toEqual({
      dueAt: due.firstResponseDueAt,
      met: false,
      breached: false,
      remainingMinutes: 15,
    });
    expect(
      slaState({ ...due, firstResponseAt: null, resolvedAt: null }, at('2026-06-01T10:30:00Z')).firstResponse,
    ).toMatchObject({ breached: true, remainingMinutes: -30 });
    const replied = slaState(
      { ...due, firstResponseAt: at('2026-06-01T09:50:00Z'), resolvedAt: at('2026-06-02T11:00:00Z') },
      at('2026-06-03T00:00:00Z'),
    );
    expect(replied.firstResponse).toMatchObject({ met: true, breached: false, remainingMinutes: null });
    expect(replied.resolution).toMatchObject({ met: false, breached: true, remainingMinutes: null });
    expect(
      slaState(
        { ...due, firstResponseDueAt: null, resolutionDueAt: null, firstResponseAt: null, resolvedAt: null },
        at('2026-06-01T00:00:00Z'),
      ).firstResponse,
    ).toEqual({ dueAt: null, met: false, breached: false, remainingMinutes: null });
    // Paused (waiting on the customer) since 8:00 the next day: the resolution target stands as it was then.
    const paused = slaState(
      {
        ...due,
        firstResponseAt: at('2026-06-01T09:50:00Z'),
        resolvedAt: null,
        slaPausedAt: at('2026-06-02T08:00:00Z'),
      },
      at('2026-06-03T00:00:00Z'),
    );
    expect(paused).toMatchObject({
      pausedSince: at('2026-06-02T08:00:00Z'),
      resolution: { breached: false, remainingMinutes: 120 },
    });
  });
});

// ── database and API ────────────────────────────────────────────────────────
describe.each(backends())('SLA on %s', (kind) => {
  const MONDAY_9 = at('2026-06-01T09:00:00.000Z');
  const clock = testClock(MONDAY_9);
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  let other: Awaited<ReturnType<typeof newWorkspace>>;
  const system = { type: 'system' as const, id: null };

  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    if (!t.server.hasRoute({ method: 'GET', url: '/api/v1/queue' }))
      await t.server.register(slaRoutes(t.desk), { prefix: '/api/v1' });
    ws = await newWorkspace(t, 'Acme');
    other = await newWorkspace(t, 'Other');
    for (const [id, tier] of [
      ['ent', 'enterprise'],
      ['pro', 'pro'],
    ] as const)
      await ws.call('PUT', `/api/v1/accounts/by-external-id/${id}`, { name: id, tier });
  });
  afterAll(async () => t?.close());

  let n = 0;
  /** Opens a ticket (with the SLA applied, as the app will on creation). */
  const open = async (
    w: typeof ws,
    account: 'ent' | 'pro' | null,
    priority: 'low' | 'normal' | 'high' | 'urgent',
    over: object = {},
  ) => {
    n++;
    const res = await w.call('POST', '/api/v1/tickets', {
      subject: `T${n}`,
      priority,
      message: { text: `Help ${n}` },
      customer: { email: `c${n}@x.example`, ...(account ? { accountExternalId: account } : {}) },
      ...over,
    });
    expect(res.status).toBe(201);
    const id = res.body.ticket.id as string;
    const sla = await t.desk.tx(w.workspaceId, system, (ctx) => applySla(ctx, id));
    return { id, sla };
  };
  const sweep = (w: typeof ws) => t.desk.tx(w.workspaceId, system, (ctx) => sweepSla(ctx, clock.now()));
  const reply = (w: typeof ws, id: string) =>
    t.desk.addMessage(
      w.workspaceId,
      system,
      id,
      { text: 'On it', visibility: 'public', attachments: [] },
      { type: 'agent', id: null },
    );
  const timeline = async (w: typeof ws, id: string) =>
    (await w.call('GET', `/api/v1/tickets/${id}`)).body.timeline as {
      type: string;
      actorType: string;
      data: any;
      createdAt: string;
    }[];

  it('computes due times per tier and priority, and again after a priority change', async () => {
    clock.set(MONDAY_9);
    const ent = await open(ws, 'ent', 'urgent');
    expect(ent.sla).toMatchObject({
      policy: 'Enterprise urgent',
      firstResponse: { dueAt: at('2026-06-01T09:30:00Z'), remainingMinutes: 30 },
      resolution: { dueAt: at('2026-06-01T13:00:00Z') },
    });
    const pro = await open(ws, 'pro', 'normal');
    expect(pro.sla).toMatchObject({
      policy: 'Pro',
      firstResponse: { dueAt: at('2026-06-01T13:00:00Z') },
      resolution: { dueAt: at('2026-06-03T17:00:00Z') },
    });
    const free = await open(ws, null, 'low');
    expect(free.sla).toMatchObject({
      policy: 'Free',
      firstResponse: { dueAt: at('2026-06-03T17:00:00Z') },
      resolution: { dueAt: at('2026-06-11T17:00:00Z') },
    });

    expect((await ws.call('PATCH', `/api/v1/tickets/${pro.id}`, { priority: 'high' })).status).toBe(200);
    const raised = await t.desk.tx(ws.workspaceId, system, (ctx) => applySla(ctx, pro.id));
    expect(raised).toMatchObject({ policy: 'Pro high', firstResponse: { dueAt: at('2026-06-01T11:00:00Z') } });
    const read = await ws.call('GET', `/api/v1/tickets/${pro.id}/sla`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      policy: 'Pro high',
      firstResponse: { dueAt: '2026-06-01T11:00:00.000Z', met: false, breached: false, remainingMinutes: 120 },
    });
    expect((await other.call('GET', `/api/v1/tickets/${pro.id}/sla`)).status).toBe(404);
    // Resolve them so the next tests start from an empty queue.
    for (const id of [ent.id, pro.id, free.id])
      expect((await ws.call('PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' })).status).toBe(200);
  });

  it('pauses the resolution clock while the ticket waits on the customer', async () => {
    clock.set(MONDAY_9);
    const ent = await open(ws, 'ent', 'urgent'); // around the clock: resolution due at 13:00
    clock.set(at('2026-06-01T09:05:00Z'));
    await reply(ws, ent.id);
    clock.set(at('2026-06-01T10:00:00Z'));
    expect((await ws.call('PATCH', `/api/v1/tickets/${ent.id}`, { status: 'pending' })).status).toBe(200);
    expect((await ws.call('GET', `/api/v1/tickets/${ent.id}/sla`)).body).toMatchObject({
      pausedSince: '2026-06-01T10:00:00.000Z',
    });

    // Long past the old due time, while waiting: no breach, and the target stands as it was at 10:00.
    clock.set(at('2026-06-01T16:00:00Z'));
    expect(await sweep(ws)).toEqual({ escalated: 0, breached: 0 });
    expect((await ws.call('GET', `/api/v1/tickets/${ent.id}/sla`)).body.resolution).toMatchObject({
      dueAt: '2026-06-01T13:00:00.000Z',
      breached: false,
      remainingMinutes: 180,
    });

    // The customer answers at 16:00: the six hours of waiting move the due time to 19:00.
    await t.desk.addMessage(
      ws.workspaceId,
      system,
      ent.id,
      { text: 'Still broken', visibility: 'public', attachments: [] },
      { type: 'customer', id: null },
    );
    const resumed = (await ws.call('GET', `/api/v1/tickets/${ent.id}/sla`)).body;
    expect(resumed).toMatchObject({
      pausedSince: null,
      resolution: { dueAt: '2026-06-01T19:00:00.000Z', breached: false, remainingMinutes: 180 },
    });
    // A later priority change keeps the waiting time: Enterprise high (8 h from 9:00) plus 6 h.
    expect((await ws.call('PATCH', `/api/v1/tickets/${ent.id}`, { priority: 'high' })).status).toBe(200);
    expect((await ws.call('GET', `/api/v1/tickets/${ent.id}/sla`)).body.resolution.dueAt).toBe(
      '2026-06-01T23:00:00.000Z',
    );
    expect((await ws.call('PATCH', `/api/v1/tickets/${ent.id}`, { status: 'resolved' })).status).toBe(200);
  });

  it('escalates before the breach, re-routing away from an absent agent, then records the breach once', async () => {
    clock.set(at('2026-06-01T10:00:00Z'));
    const support = (await ws.call('POST', '/api/v1/teams', { name: 'Support' })).body;
    const away = (
      await ws.call('POST', '/api/v1/agents', {
        name: 'Away',
        email: 'away@acme.example',
        status: 'away',
        teamIds: [support.id],
      })
    ).body;
    const ready = (
      await ws.call('POST', '/api/v1/agents', {
        name: 'Ready',
        email: 'ready@acme.example',
        status: 'online',
        teamIds: [support.id],
      })
    ).body;
    // Enterprise high: 60 min / 8 h around the clock; at risk within 15 min
    const { id, sla } = await open(ws, 'ent', 'high');
    expect(sla.firstResponse.dueAt).toEqual(at('2026-06-01T11:00:00Z'));
    await ws.call('PATCH', `/api/v1/tickets/${id}`, { assigneeId: away.id, teamId: support.id });

    clock.advance(44 * MIN); // 16 min left
    expect(await sweep(ws)).toEqual({ escalated: 0, breached: 0 });
    clock.advance(2 * MIN); // 14 min left: at risk
    expect(await sweep(ws)).toEqual({ escalated: 1, breached: 0 });
    const ticket = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
    expect(ticket).toMatchObject({ priority: 'urgent', assigneeId: ready.id, teamId: support.id });
    const events = await timeline(ws, id);
    const risk = events.find((e) => e.type === 'sla.at_risk')!;
    expect(risk).toMatchObject({
      actorType: 'system',
      data: {
        target: 'first_response',
        leftMinutes: 14,
        priority: { from: 'high', to: 'urgent' },
        assignee: { id: away.id, unavailable: 'away' },
        rerouted: { agentId: ready.id, teamId: support.id },
      },
    });
    expect(new Date(risk.createdAt).getTime()).toBeLessThan(at('2026-06-01T11:00:00Z').getTime());
    expect(events.find((e) => e.type === 'ticket.routed')?.data).toMatchObject({
      reason: 'sla_at_risk',
      previousAssigneeId: away.id,
    });
    expect(events.find((e) => e.type === 'ticket.priority_changed')?.data).toEqual({ from: 'high', to: 'urgent' });
    // The escalation keeps the due times and happens once.
    expect((await ws.call('GET', `/api/v1/tickets/${id}/sla`)).body).toMatchObject({
      firstResponse: { dueAt: '2026-06-01T11:00:00.000Z' },
      escalatedAt: '2026-06-01T10:46:00.000Z',
    });
    clock.advance(10 * MIN);
    expect(await sweep(ws)).toEqual({ escalated: 0, breached: 0 });
    expect((await timeline(ws, id)).filter((e) => e.type === 'sla.breached')).toHaveLength(0);

    clock.advance(5 * MIN); // 11:01: breached
    expect(await sweep(ws)).toEqual({ escalated: 0, breached: 1 });
    expect(await sweep(ws)).toEqual({ escalated: 0, breached: 0 });
    const breached = (await timeline(ws, id)).filter((e) => e.type === 'sla.breached');
    expect(breached).toEqual([
      expect.objectContaining({
        actorType: 'system',
        data: expect.objectContaining({
          target: 'first_response',
          dueAt: '2026-06-01T11:00:00.000Z',
          overdueMinutes: 1,
        }),
      }),
    ]);
    expect((await ws.call('GET', `/api/v1/tickets/${id}/sla`)).body.firstResponse).toMatchObject({
      met: false,
      breached: true,
      remainingMinutes: -1,
    });

    // After the (late) reply the resolution target still runs, and its breach is recorded too.
    await reply(ws, id);
    clock.set(at('2026-06-01T18:01:00Z'));
    expect(await sweep(ws)).toEqual({ escalated: 0, breached: 1 });
    expect((await timeline(ws, id)).filter((e) => e.type === 'sla.breached').map((e) => e.data.target)).toEqual([
      'first_response',
      'resolution',
    ]);
    expect((await ws.call('PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' })).status).toBe(200);
  });

  it('escalates an unassigned ticket missed until its breach, and leaves pending tickets alone', async () => {
    clock.set(at('2026-06-02T09:00:00Z'));
    const lone = await open(ws, 'ent', 'urgent');
    const waiting = await open(ws, 'ent', 'normal');
    await ws.call('PATCH', `/api/v1/tickets/${waiting.id}`, { status: 'pending' });
    clock.advance(3 * 60 * MIN); // both far past their first-response due time
    expect(await sweep(ws)).toEqual({ escalated: 1, breached: 2 });
    const events = await timeline(ws, lone.id);
    expect(events.map((e) => e.type).filter((x) => x.startsWith('sla.'))).toEqual(['sla.at_risk', 'sla.breached']);
    expect(events.find((e) => e.type === 'sla.at_risk')?.data).toMatchObject({
      priority: { from: 'urgent', to: 'urgent' },
      assignee: { id: null, unavailable: 'unassigned' },
    });
    expect((await timeline(ws, waiting.id)).some((e) => e.type === 'sla.at_risk')).toBe(false);
    for (const id of [lone.id, waiting.id])
      expect((await ws.call('PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' })).status).toBe(200);
  });

  it('orders the queue by priority, then SLA due time, then age, with views', async () => {
    const q = await newWorkspace(t, 'Queue Co');
    await q.call('PUT', '/api/v1/accounts/by-external-id/pro', { name: 'pro', tier: 'pro' });
    await q.call('PUT', '/api/v1/accounts/by-external-id/ent', { name: 'ent', tier: 'enterprise' });
    const team = (await q.call('POST', '/api/v1/teams', { name: 'Desk' })).body;
    const me = (
      await q.call('POST', '/api/v1/agents', {
        name: 'Me',
        email: 'me@q.example',
        password: 'correct horse battery',
        status: 'online',
        teamIds: [team.id],
      })
    ).body;
    clock.set(MONDAY_9);
    const freeNormal = await open(q, null, 'normal'); // due Wed 17:00, oldest
    clock.advance(MIN);
    const low = await open(q, 'ent', 'low'); // due 11:01, but low
    clock.advance(MIN);
    const proNormal = await open(q, 'pro', 'normal'); // due 13:02
    clock.advance(MIN);
    const urgent = await open(q, 'pro', 'urgent'); // newest, but urgent
    clock.advance(MIN);
    const noSla = (
      await q.call('POST', '/api/v1/tickets', {
        subject: 'No SLA',
        message: { text: 'x' },
        customer: { email: 'nosla@x.example' },
      })
    ).body.ticket.id as string;
    clock.advance(MIN);
    const resolved = await open(q, 'pro', 'urgent');
    await q.call('PATCH', `/api/v1/tickets/${resolved.id}`, { status: 'resolved' });
    await q.call('PATCH', `/api/v1/tickets/${proNormal.id}`, { assigneeId: me.id, teamId: team.id });
    await q.call('PATCH', `/api/v1/tickets/${low.id}`, { teamId: team.id });

    const all = await q.call('GET', '/api/v1/queue');
    expect(all.status).toBe(200);
    expect(all.body.data.map((x: { id: string }) => x.id)).toEqual([
      urgent.id,
      proNormal.id,
      freeNormal.id,
      noSla,
      low.id,
    ]);
    expect(all.body.data[0].sla).toMatchObject({ policy: 'Pro urgent', firstResponse: { remainingMinutes: 58 } });
    // A customer without an account gets the default tier's policy when the ticket is created.
    expect(all.body.data[3].sla).toMatchObject({ policy: 'Free' });
    expect(all.body.data[3].sla.firstResponse.dueAt).not.toBeNull();
    expect(all.body.data[0].workspaceId).toBeUndefined();

    expect((await q.call('GET', '/api/v1/queue?view=unassigned')).body.data.map((x: { id: string }) => x.id)).toEqual([
      urgent.id,
      freeNormal.id,
      noSla,
      low.id,
    ]);
    expect(
      (await q.call('GET', `/api/v1/queue?view=team&teamId=${team.id}`)).body.data.map((x: { id: string }) => x.id),
    ).toEqual([proNormal.id, low.id]);
    expect((await q.call('GET', `/api/v1/queue?view=all&limit=2`)).body.data).toHaveLength(2);
    expect((await q.call('GET', '/api/v1/queue?view=mine')).status).toBe(400); // an API key is no agent
    expect((await q.call('GET', '/api/v1/queue?view=team')).status).toBe(400);
    expect((await q.call('GET', '/api/v1/queue?view=everything')).status).toBe(400);

    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'me@q.example', password: 'correct horse battery' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const asMe = async (url: string) => (await t.server.inject({ method: 'GET', url, headers: { cookie } })).json();
    expect((await asMe('/api/v1/queue?view=mine')).data.map((x: { id: string }) => x.id)).toEqual([proNormal.id]);
    expect((await asMe('/api/v1/queue?view=team')).data.map((x: { id: string }) => x.id)).toEqual([
      proNormal.id,
      low.id,
    ]);

    // Another workspace sees none of it.
    expect((await other.call('GET', '/api/v1/queue')).body.data).toEqual([]);
    expect((await other.call('GET', `/api/v1/queue?view=team&teamId=${team.id}`)).body.data).toEqual([]);
  });

  it('reports compliance per tier and priority', async () => {
    const m = await newWorkspace(t, 'Metrics');
    await m.call('PUT', '/api/v1/accounts/by-external-id/pro', { name: 'pro', tier: 'pro' });
    clock.set(MONDAY_9);
    const onTime = await open(m, 'pro', 'normal'); // first response due 13:00
    const late = await open(m, 'pro', 'normal');
    const silent = await open(m, 'pro', 'normal');
    const running = await open(m, null, 'normal'); // free: due Wed
    clock.advance(60 * MIN);
    await reply(m, onTime.id);
    await m.call('PATCH', `/api/v1/tickets/${onTime.id}`, { status: 'resolved' });
    clock.advance(4 * 60 * MIN); // 14:00
    await reply(m, late.id);

    const res = await m.call('GET', '/api/v1/sla/compliance');
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([
      {
        tier: 'free',
        priority: 'normal',
        tickets: 1,
        firstResponseMet: 0,
        firstResponseBreached: 0,
        firstResponseMetPct: null,
        resolutionMet: 0,
        resolutionBreached: 0,
        resolutionMetPct: null,
        breaches: 0,
      },
      {
        tier: 'pro',
        priority: 'normal',
        tickets: 3,
        firstResponseMet: 1,
        firstResponseBreached: 2,
        firstResponseMetPct: 33.3,
        resolutionMet: 1,
        resolutionBreached: 0,
        resolutionMetPct: 100,
        breaches: 2,
      },
    ]);
    expect(res.body.total).toMatchObject({ tickets: 4, firstResponseMet: 1, firstResponseBreached: 2, breaches: 2 });
    expect(running.sla.policy).toBe('Free');
    expect(silent.sla.firstResponse.dueAt).toEqual(at('2026-06-01T13:00:00Z'));

    const before = await m.call('GET', '/api/v1/sla/compliance?from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z');
    expect(before.body).toMatchObject({
      from: '2026-05-01T00:00:00.000Z',
      rows: [],
      total: { tickets: 0, firstResponseMetPct: null },
    });
    expect((await m.call('GET', '/api/v1/sla/compliance?from=yesterday')).status).toBe(400);
    const theirs = await other.call('GET', '/api/v1/sla/compliance');
    expect(theirs.body.rows).toEqual([]);
  });

  it('reads and changes policies: staff read, admins write, validated, workspace-isolated', async () => {
    const read = await ws.call('GET', '/api/v1/sla/policies');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      defaultTier: 'free',
      atRisk: { fraction: 0.2, minutes: 15 },
      calendar: { timezone: 'UTC', alwaysOpen: false, holidays: [] },
    });
    expect(read.body.policies).toHaveLength(DEFAULT_POLICIES.length);

    const changed = await ws.call('PATCH', '/api/v1/sla/policies', {
      policies: [{ name: 'Everyone', firstResponseMinutes: 60, resolutionMinutes: 480 }],
      calendar: { timezone: 'Europe/Berlin', holidays: ['2026-12-25'] },
      atRisk: { minutes: 30 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      policies: [{ name: 'Everyone', tiers: [], priorities: [], businessHours: true }],
      calendar: {
        timezone: 'Europe/Berlin',
        alwaysOpen: false,
        holidays: ['2026-12-25'],
        days: { '1': ['09:00-17:00'] },
      },
      atRisk: { fraction: 0.2, minutes: 30 },
    });
    clock.set(at('2026-06-01T14:30:00Z')); // 16:30 in Berlin
    const { sla } = await open(ws, 'pro', 'normal');
    // Tue 09:30 Berlin
    expect(sla).toMatchObject({ policy: 'Everyone', firstResponse: { dueAt: at('2026-06-02T07:30:00Z') } });

    for (const bad of [
      {},
      { calendar: { timezone: 'Mars/Olympus' } },
      { calendar: { days: {} } },
      { atRisk: { fraction: 2 } },
      {
        policies: [
          { name: 'A', firstResponseMinutes: 1, resolutionMinutes: 1 },
          { name: 'a', firstResponseMinutes: 1, resolutionMinutes: 1 },
        ],
      },
      { colour: 'red' },
    ]) {
      const res = await ws.call('PATCH', '/api/v1/sla/policies', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const agentKey = (await ws.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).body.secret;
    const asAgent = (method: 'GET' | 'PATCH', url: string, payload?: object) =>
      t.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${agentKey}` },
        ...(payload ? { payload } : {}),
      });
    expect((await asAgent('GET', '/api/v1/sla/policies')).statusCode).toBe(200);
    expect((await asAgent('GET', '/api/v1/queue')).statusCode).toBe(200);
    expect((await asAgent('PATCH', '/api/v1/sla/policies', { atRisk: { minutes: 1 } })).statusCode).toBe(403);
    expect((await other.call('GET', '/api/v1/sla/policies')).body.policies).toHaveLength(DEFAULT_POLICIES.length);
  });
});
