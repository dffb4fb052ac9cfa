import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestModelVersion } from '../src/learning/models.js';
import { textVectors } from '../src/store/schema.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

/** The intent memory with the real sentence encoder: a person's label changes the answer for its paraphrases at once.
 */
describe.each(backends())('intent memory of human labels on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind, { config: { intentMemory: true } });
    ws = await newWorkspace(t);
  });
  afterAll(async () => t?.close());

  const understood = async (text: string) => {
    const { id } = (
      await ws.call('POST', '/api/v1/tickets', {
        subject: 'Question',
        message: { text },
        customer: { email: 'm@example.com' },
      })
    ).body.ticket;
    await t.desk.runPipeline(ws.workspaceId, id, 'created');
    const detail = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
    return { id: id as string, result: detail.decisions.filter((d: any) => d.stage === 'understand').at(-1).result };
  };

  it(
    'answers a paraphrase of a relabelled ticket with the new label at once — no online update, no retrain — and ' +
      'follows a relabel',
    async () => {
      const version = await latestModelVersion(t.desk.database.db, ws.workspaceId, 'intent');
      const first = await understood('Where can I find the bill from October for our bookkeeping?');
      expect(first.result.intent.intent).not.toBe('billing_invoice');

      expect((await ws.call('PATCH', `/api/v1/tickets/${first.id}`, { intent: 'billing_invoice' })).status).toBe(200);
      const again = await understood('Where do I find the October bill for our bookkeeping?');
      expect(again.result.intent).toMatchObject({ intent: 'billing_invoice', outOfScope: false });
      expect(again.result.memory).toMatchObject({
        code: expect.any(String),
        nearest: [expect.objectContaining({ label: 'billing_invoice', source: 'label' })],
      });
      expect(again.result.memory.detail).toMatch(/person's label/);
      // the model itself did not change: the learn-label job has not run
      expect(await latestModelVersion(t.desk.database.db, ws.workspaceId, 'intent')).toBe(version);

      // a relabel replaces the old label at once
      expect((await ws.call('PATCH', `/api/v1/tickets/${first.id}`, { intent: 'data_export' })).status).toBe(200);
      const relabelled = await understood('Where can I find the October bill for bookkeeping?');
      expect(relabelled.result.intent.topIntent).toBe('data_export');
      // the vectors are kept for the next process
      const stored = await t.desk.database.db.select({ h: textVectors.textHash }).from(textVectors);
      expect(stored.length).toBeGreaterThan(0);
    },
  );
});
