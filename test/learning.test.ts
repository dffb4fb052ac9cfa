import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestModelVersion } from '../src/services/models.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

describe.each(backends())('online learning from human labels on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t);
  });
  afterAll(async () => t?.close());

  const ticket = async (text: string) => (await ws.call('POST', '/api/v1/tickets', { subject: 'Help', message: { text }, customer: { email: 'l@example.com' } })).body.ticket.id as string;

  it('learns a new intent from one relabel, without a retrain, and stores a new version', async () => {
    const id = await ticket('Our webhook deliveries to the CRM are delayed by hours');
    await t.desk.runPipeline(ws.workspaceId, id, 'created');
    const v1 = await latestModelVersion(t.desk.database.db, ws.workspaceId, 'intent');
    const relabel = await ws.call('PATCH', `/api/v1/tickets/${id}`, { intent: 'webhook_delay' });
    expect(relabel.status).toBe(200);
    expect(await t.desk.jobs.pending('learn-label')).toBeGreaterThanOrEqual(1);
    const outcome = await t.desk.learn(ws.workspaceId, id);
    expect(outcome).toMatchObject({ status: 'updated', label: 'webhook_delay', version: v1! + 1 });
    const model = await t.desk.intentModels.get(ws.workspaceId);
    expect(model!.model.labels).toContain('webhook_delay');
    const p = model!.model.predict('webhook deliveries to our CRM are delayed');
    expect(p.alternatives.map((a) => a.intent)).toContain('webhook_delay');
    const timeline = (await ws.call('GET', `/api/v1/tickets/${id}`)).body.timeline;
    expect(timeline.find((e: any) => e.type === 'model.updated')).toMatchObject({ data: { label: 'webhook_delay', version: v1! + 1 } });
  });

  it("never learns from the assistant's own guesses, but does from a person's confirmation", async () => {
    const id = await ticket('I forgot my password');
    await t.desk.runPipeline(ws.workspaceId, id, 'created');
    expect(await t.desk.learn(ws.workspaceId, id)).toEqual({ status: 'skipped', reason: 'the ticket has no human label' });
    const detail = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
    expect(detail.intentConfidence).not.toBeNull();
    const confirmed = (await ws.call('PATCH', `/api/v1/tickets/${id}`, { intent: detail.intent })).body;
    expect(confirmed.intentConfidence).toBeNull();
    expect((await t.desk.learn(ws.workspaceId, id)).status).toBe('updated');
  });

  it('rolls back an update that makes the model worse on recent labels', async () => {
    // Twenty-five consistent human labels form the guard window.
    for (let i = 0; i < 25; i++) {
      const id = await ticket(`Please send me the invoice for order ${i}`);
      await ws.call('PATCH', `/api/v1/tickets/${id}`, { intent: 'billing_invoice' });
    }
    // A burst of contradicting labels: the guard eventually refuses one.
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      const id = await ticket(`Please send me the invoice for order ${100 + i}`);
      await ws.call('PATCH', `/api/v1/tickets/${id}`, { intent: 'feature_request' });
      outcomes.push(await t.desk.learn(ws.workspaceId, id));
    }
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect(rejected).toBeDefined();
    expect((rejected as { after: number; before: number }).after).toBeLessThan((rejected as { before: number }).before);
  });
});
