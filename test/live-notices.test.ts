import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveBus, noticePayloads, notifyAllExpression, type LiveEvent } from '../src/live/bus.js';
import { backends, openTestDatabase } from './helpers.js';
import { waitFor } from './helpers-wait.js';

const notice = (workspaceId: string, i: number, pad = 0): string =>
  JSON.stringify({
    workspaceId,
    ticketId: randomUUID(),
    type: `test.${i}${'x'.repeat(pad)}`,
    actorType: 'system',
    at: new Date(0).toISOString(),
  });

describe('live notices', () => {
  it('packs notices into JSON arrays under the payload limit, in order, none lost', () => {
    const ws = randomUUID();
    const notices = Array.from({ length: 120 }, (_, i) => notice(ws, i, i % 7 === 0 ? 900 : 0));
    const payloads = noticePayloads(notices);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => JSON.parse(p) as unknown[])).toEqual(notices.map((n) => JSON.parse(n)));
    expect(noticePayloads([])).toEqual([]);
  });
});

describe.each(backends())('live notices on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
    await database?.cleanup();
  });

  it('delivers every event of a packed batch to subscribers, in order', async () => {
    const ws = randomUUID();
    const bus = new LiveBus(database);
    const seen: LiveEvent[] = [];
    try {
      const stop = await bus.subscribe(ws, (e) => seen.push(e));
      const notices = Array.from({ length: 80 }, (_, i) => notice(ws, i, 150));
      await database.db.execute(sql`select ${notifyAllExpression(notices)}`);
      // Waits on the deliveries, with no deadline of its own (the test's timeout ends a hang).
      await waitFor(() => seen.length >= 80, 20);
      expect(seen.map((e) => e.type)).toEqual(notices.map((n) => (JSON.parse(n) as LiveEvent).type));
      stop();
    } finally {
      await bus.close();
    }
  });
});
