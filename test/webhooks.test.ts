import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxHasDue } from '../src/channels/outbox.js';
import { verifySignature } from '../src/resolution/actions.js';
import { appendEvent } from '../src/events/timeline.js';
import { outbox } from '../src/store/schema.js';
import { serveLocally, type LocalServer } from './fakes/http.js';
import { startFakeSlack, type FakeSlack } from './fakes/slack-webhook.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

/** A customer's webhook receiver: answers 503 while `down`, otherwise records the delivery. */
async function startReceiver() {
  const state = { down: false, received: [] as { headers: IncomingHttpHeaders; raw: string; body: any }[], refused: 0 };
  const server: LocalServer = await serveLocally((req, raw) => ({
    answer(res) {
      if (state.down) {
        state.refused++;
        res.writeHead(503).end('down for maintenance');
        return;
      }
      state.received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.writeHead(204).end();
    },
  }));
  return Object.assign(state, { url: `${server.origin}/hooks/deskmind`, close: () => server.close() });
}

const ticketBody = (n: number) => ({
  subject: `Ticket ${n}`,
  message: { text: `Message ${n}` },
  customer: { email: `c${n}@example.com` },
});

describe.each(backends())('outbound webhooks and Slack on %s', (kind) => {
  let t: TestDesk;
  const clock = testClock();
  const MAX_ATTEMPTS = 5;

  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now, config: { webhookMaxAttempts: MAX_ATTEMPTS } });
  });
  afterAll(async () => t?.close());

  /** Runs the outbox worker until nothing is due now. */
  const drain = async () => {
    for (let i = 0; i < 50 && (await outboxHasDue(t.desk.database.db, clock.now())); i++) await t.desk.deliverOutbox();
  };

  it('delivers every event to an endpoint that was down, once it is back, in order, none lost, signed', async () => {
    const ws = await newWorkspace(t, 'Hooks');
    const receiver = await startReceiver();
    try {
      const created = await ws.call('POST', '/api/v1/webhooks', { url: receiver.url, name: 'warehouse' });
      expect(created.status).toBe(201);
      const { id: endpointId, secret } = created.body;
      expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/);
      // The secret is shown once.
      const shown = await ws.call('GET', `/api/v1/webhooks/${endpointId}`);
      expect(shown.body.secret).toBeUndefined();
      expect((await ws.call('GET', '/api/v1/webhooks')).body.data.map((e: { id: string }) => e.id)).toEqual([
        endpointId,
      ]);

      const {
        rows: [{ max: firstId }],
      } = (await t.desk.database.executeSql(
        'select coalesce(max(id), 0)::int as max from events where workspace_id = $1',
        [ws.workspaceId],
      )) as any;
      receiver.down = true;
      const t1 = (await ws.call('POST', '/api/v1/tickets', ticketBody(1))).body.ticket.id;
      const gaps: number[] = [];
      const recordGap = async () => {
        const head = (
          await ws.call('GET', `/api/v1/deliveries?endpointId=${endpointId}&status=pending&limit=500`)
        ).body.data.find((d: any) => d.attempts > 0);
        gaps.push(new Date(head.nextAttemptAt).getTime() - clock.now().getTime());
      };
      await t.desk.deliverOutbox();
      expect(receiver.refused).toBe(1); // the head failed and holds the endpoint's queue back
      await recordGap();
      // While it is down: more events, more failed attempts, each further apart.
      for (let round = 0; round < 3; round++) {
        await ws.call('POST', `/api/v1/tickets/${t1}/messages`, { text: `Still there? ${round}` });
        await ws.call('PATCH', `/api/v1/tickets/${t1}`, { priority: round % 2 ? 'high' : 'low' });
        await ws.call('POST', '/api/v1/tickets', ticketBody(10 + round));
        clock.advance(2 * 3_600_000);
        await t.desk.deliverOutbox();
        await recordGap();
      }
      expect(receiver.received).toHaveLength(0);
      expect(receiver.refused).toBe(4);
      // Exponential backoff with jitter: the n-th wait is between half and all of 10 s × 2^(n-1).
      gaps.forEach((gap, n) => {
        expect(gap).toBeGreaterThanOrEqual(5_000 * 2 ** n);
        expect(gap).toBeLessThanOrEqual(10_000 * 2 ** n);
      });
      const head = (await ws.call('GET', `/api/v1/deliveries?endpointId=${endpointId}&limit=500`)).body.data.find(
        (d: any) => d.attempts > 0,
      );
      const detail = await ws.call('GET', `/api/v1/deliveries/${head.id}`);
      expect(detail.body.attemptLog.map((a: any) => [a.ok, a.statusCode])).toEqual([
        [false, 503],
        [false, 503],
        [false, 503],
        [false, 503],
      ]);
      expect(detail.body.lastError).toContain('503');

      receiver.down = false;
      clock.advance(2 * 3_600_000);
      await drain();

      const { rows } = await t.desk.database.executeSql(
        'select id::int, type from events where workspace_id = $1 and id > $2 order by id',
        [ws.workspaceId, firstId],
      );
      expect(rows.length).toBeGreaterThan(12);
      // Every event, once, in order.
      expect(receiver.received.map((r) => r.body.eventId)).toEqual(rows.map((r) => r.id));
      expect(receiver.received.map((r) => r.body.type)).toEqual(rows.map((r) => r.type));
      const seqs = receiver.received.map((r) => Number(r.headers['x-deskmind-sequence']));
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      for (const r of receiver.received) {
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers['x-deskmind-event']).toBe(r.body.type);
        expect(r.body.workspaceId).toBe(ws.workspaceId);
        const ts = r.headers['x-deskmind-timestamp'] as string;
        const sig = r.headers['x-deskmind-signature'] as string;
        expect(
          verifySignature(secret, ts, r.raw, sig, 300, new Date(Math.floor(clock.now().getTime() / 1000) * 1000)),
        ).toBe(true);
        expect(
          verifySignature(secret, ts, r.raw.replace('"type"', '"typo"'), sig, 300, new Date(Number(ts) * 1000)),
        ).toBe(false);
        expect(verifySignature('whsec_other', ts, r.raw, sig, 300, new Date(Number(ts) * 1000))).toBe(false);
        expect(verifySignature(secret, ts, r.raw, sig, 300, new Date((Number(ts) + 3600) * 1000))).toBe(false);
      }
      const all = (await ws.call('GET', `/api/v1/deliveries?endpointId=${endpointId}&limit=500`)).body.data;
      expect(all.every((d: any) => d.status === 'delivered')).toBe(true);

      // A row whose transaction commits after later rows were numbered is numbered late, not skipped.
      const before = receiver.received.length;
      await t.desk.database.db.insert(outbox).values({
        workspaceId: ws.workspaceId,
        channel: 'webhook',
        endpointId,
        eventType: 'ticket.updated',
        pos: 1,
        payload: { type: 'ticket.updated', late: true },
        nextAttemptAt: clock.now(),
      });
      await drain();
      expect(receiver.received.length).toBe(before + 1);
      expect(receiver.received.at(-1)!.body.late).toBe(true);

      // A disabled endpoint gets no new deliveries.
      expect((await ws.call('PATCH', `/api/v1/webhooks/${endpointId}`, { enabled: false })).body.enabled).toBe(false);
      await ws.call('POST', '/api/v1/tickets', ticketBody(99));
      await drain();
      expect(receiver.received.length).toBe(before + 1);
    } finally {
      await receiver.close();
    }
  });

  // Needs two connections at once (PGlite has one): runs on a PostgreSQL server.
  it.runIf(kind === 'postgres')(
    'delivers an event whose transaction commits late after the ones already sent, never skipping it',
    async () => {
      const ws = await newWorkspace(t, 'Late commit');
      const receiver = await startReceiver();
      try {
        await ws.call('POST', '/api/v1/webhooks', { url: receiver.url, eventTypes: ['anomaly.detected'] });
        const system = { type: 'system' as const, id: null };
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let written!: () => void;
        const wroteLate = new Promise<void>((r) => (written = r));
        // A transaction writes its event (taking the lower event id and outbox position) and stays open…
        const slow = t.desk.tx(ws.workspaceId, system, async (ctx) => {
          await appendEvent(ctx, 'anomaly.detected', null, { metric: 'late' });
          written();
          await gate;
        });
        await wroteLate;
        // …while another commits an event after it, which is delivered first.
        await t.desk.tx(ws.workspaceId, system, (ctx) =>
          appendEvent(ctx, 'anomaly.detected', null, { metric: 'early' }),
        );
        await drain();
        expect(receiver.received.map((r) => r.body.data.metric)).toEqual(['early']);
        release();
        await slow;
        await drain();
        expect(receiver.received.map((r) => r.body.data.metric)).toEqual(['early', 'late']);
        const ids = receiver.received.map((r) => r.body.eventId);
        expect(ids[1]).toBeLessThan(ids[0]); // the late one has the lower event id: an id cursor would have skipped it
        const seqs = receiver.received.map((r) => Number(r.headers['x-deskmind-sequence']));
        expect(seqs[1]).toBeGreaterThan(seqs[0]!);
      } finally {
        await receiver.close();
      }
    },
  );

  it('moves a delivery that keeps failing to the dead-letter list, where the API shows and replays it', async () => {
    const ws = await newWorkspace(t, 'Dead letters');
    const receiver = await startReceiver();
    try {
      const { id: endpointId } = (
        await ws.call('POST', '/api/v1/webhooks', { url: receiver.url, eventTypes: ['ticket.created'] })
      ).body;
      receiver.down = true;
      await ws.call('POST', '/api/v1/tickets', ticketBody(1));
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        await t.desk.deliverOutbox();
        clock.advance(2 * 3_600_000);
      }
      expect(receiver.refused).toBe(MAX_ATTEMPTS);
      const dead = (await ws.call('GET', '/api/v1/deliveries?status=dead')).body.data;
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        endpointId,
        eventType: 'ticket.created',
        attempts: MAX_ATTEMPTS,
        status: 'dead',
        channel: 'webhook',
      });
      await t.desk.deliverOutbox();
      expect(receiver.refused).toBe(MAX_ATTEMPTS); // dead: no more attempts

      // A dead head does not block the endpoint: the next event goes out once the endpoint is back.
      receiver.down = false;
      await ws.call('POST', '/api/v1/tickets', ticketBody(2));
      await drain();
      expect(receiver.received.map((r) => r.body.data.channel)).toEqual(['api']);

      const replayed = await ws.call('POST', `/api/v1/deliveries/${dead[0].id}/replay`);
      expect(replayed.status).toBe(200);
      expect(replayed.body).toMatchObject({ status: 'pending', attempts: 0 });
      expect((await ws.call('POST', `/api/v1/deliveries/${dead[0].id}/replay`)).body.code).toBe('conflict');
      await drain();
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.headers['x-deskmind-delivery']).toBe(dead[0].id);
      const detail = (await ws.call('GET', `/api/v1/deliveries/${dead[0].id}`)).body;
      expect(detail.status).toBe('delivered');
      expect(detail.attemptLog).toHaveLength(MAX_ATTEMPTS + 1);
      expect(detail.attemptLog.at(-1)).toMatchObject({ ok: true, statusCode: 204 });
      expect((await ws.call('GET', '/api/v1/deliveries?status=dead')).body.data).toHaveLength(0);
      // Delivered rows are kept 30 days, then the sweep deletes them.
      clock.advance(29 * 86_400_000);
      await t.desk.sweep();
      expect((await ws.call('GET', `/api/v1/deliveries?endpointId=${endpointId}`)).body.data).toHaveLength(2);
      clock.advance(2 * 86_400_000);
      await t.desk.sweep();
      expect((await ws.call('GET', `/api/v1/deliveries?endpointId=${endpointId}`)).body.data).toHaveLength(0);
      // Only ticket.created was asked for.
      expect(receiver.received.every((r) => r.body.type === 'ticket.created')).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('tells Slack about high-priority hand-offs and anomalies, with text and blocks', async () => {
    const ws = await newWorkspace(t, 'Slack');
    const slack: FakeSlack = await startFakeSlack();
    try {
      const ep = await ws.call('POST', '/api/v1/webhooks', { kind: 'slack', url: slack.url });
      expect(ep.status).toBe(201);
      const normal = (await ws.call('POST', '/api/v1/tickets', ticketBody(1))).body.ticket.id;
      await ws.call('POST', `/api/v1/tickets/${normal}/feedback`, { outcome: 'need_human' });
      const urgent = (
        await ws.call('POST', '/api/v1/tickets', { ...ticketBody(2), subject: 'Production is down <for everyone>' })
      ).body.ticket.id;
      await ws.call('PATCH', `/api/v1/tickets/${urgent}`, { priority: 'urgent' });
      await ws.call('POST', `/api/v1/tickets/${urgent}/feedback`, { outcome: 'need_human' });
      await t.desk.tx(ws.workspaceId, { type: 'system', id: null }, (ctx) =>
        appendEvent(ctx, 'anomaly.detected', null, {
          metric: 'ticket volume',
          summary: 'Tickets about invoices tripled in the last hour',
          observed: 42,
          expected: 13,
        }),
      );
      await drain();
      expect(slack.messages).toHaveLength(2);
      const [handoff, anomaly] = slack.messages;
      expect(handoff!.text).toContain('urgent ticket handed to a human');
      expect(handoff!.text).toContain('Production is down');
      expect(JSON.stringify(handoff!.blocks)).toContain('Production is down &lt;for everyone&gt;');
      expect(JSON.stringify(handoff!.blocks)).toContain('the customer asked for a human');
      expect(handoff!.blocks!.map((b) => b.type)).toEqual(['section', 'section', 'section', 'context']);
      expect(anomaly!.text).toContain('Anomaly detected: ticket volume');
      expect(JSON.stringify(anomaly!.blocks)).toContain('*observed:* 42');

      // Slack down: the notice waits in the outbox and goes out later.
      slack.failing = true;
      await t.desk.tx(ws.workspaceId, { type: 'system', id: null }, (ctx) =>
        appendEvent(ctx, 'anomaly.detected', null, { metric: 'reopen rate' }),
      );
      await t.desk.deliverOutbox();
      expect(slack.messages).toHaveLength(2);
      slack.failing = false;
      clock.advance(3_600_000);
      await drain();
      expect(slack.messages.at(-1)!.text).toContain('reopen rate');
    } finally {
      await slack.close();
    }
  });

  it('refuses bad endpoints and keeps every workspace to its own', async () => {
    const ws = await newWorkspace(t, 'Validation');
    expect((await ws.call('POST', '/api/v1/webhooks', { url: 'ftp://example.com/x' })).body.code).toBe(
      'validation_failed',
    );
    expect(
      (await ws.call('POST', '/api/v1/webhooks', { url: 'https://example.com/x', eventTypes: ['no.such_event'] })).body
        .code,
    ).toBe('validation_failed');
    const made = await ws.call('POST', '/api/v1/webhooks', {
      url: 'https://example.com/x',
      eventTypes: ['ticket.created'],
    });
    const rotated = await ws.call('POST', `/api/v1/webhooks/${made.body.id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(made.body.secret);
    expect((await ws.call('DELETE', `/api/v1/webhooks/${made.body.id}`)).status).toBe(204);
    expect((await ws.call('GET', `/api/v1/webhooks/${made.body.id}`)).status).toBe(404);
  });
});
