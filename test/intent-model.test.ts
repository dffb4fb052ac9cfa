import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/store/ctx.js';
import { gatherTrainingExamples, labelledTicketExamples, trainWorkspaceIntents } from '../src/learning/training.js';
import { latestModelVersion } from '../src/learning/models.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

describe.each(backends())('workspace intent models on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t);
  });
  afterAll(async () => t?.close());

  it('gives a new workspace the starter model, used by the pipeline with its version', async () => {
    expect(await latestModelVersion(t.desk.database.db, ws.workspaceId, 'intent')).toBe(1);
    const { body } = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Password reset',
      message: { text: 'I forgot my password and the reset email never arrives' },
      customer: { email: 'p@example.com' },
    });
    await t.desk.runPipeline(ws.workspaceId, body.ticket.id, 'created');
    const detail = (await ws.call('GET', `/api/v1/tickets/${body.ticket.id}`)).body;
    const understand = detail.decisions.find((d: { stage: string }) => d.stage === 'understand');
    expect(understand.modelVersion).toBe('intent@1');
    expect(understand.result.intent.intent).toBe('password_reset');
    expect(understand.result.intent.explanation.topTerms.length).toBeGreaterThan(0);
    expect(detail.intent).toBe('password_reset');
    expect(detail.intentConfidence).toBeGreaterThan(0);
  });

  it('trains only on human labels and stores a new version the pipeline then uses', async () => {
    const texts = [
      ['Pipeline stuck in queued state', 'My pipeline run has been queued for an hour and never starts'],
      ['Run never starts', 'Runs stay queued forever, the scheduler seems stuck'],
      ['Queued forever', 'Every pipeline run is stuck in queued'],
    ];
    for (const [subject, text] of texts) {
      const { body } = await ws.call('POST', '/api/v1/tickets', {
        subject,
        message: { text },
        customer: { email: 'q@example.com' },
      });
      await t.desk.runPipeline(ws.workspaceId, body.ticket.id, 'created'); // the assistant's guess: not a label
      await ws.call('PATCH', `/api/v1/tickets/${body.ticket.id}`, { intent: 'scheduler_stuck' }); // a person's label
    }
    const ctx = t.desk.ctx(ws.workspaceId, systemActor);
    const labelled = await labelledTicketExamples(ctx);
    expect(labelled).toHaveLength(3);
    expect(labelled.every((e) => e.label === 'scheduler_stuck')).toBe(true);
    const { examples, counts } = await gatherTrainingExamples(ctx, { tickets: true, starter: true });
    expect(counts.tickets).toBe(3);
    const result = await trainWorkspaceIntents(t.desk.intentModels, ws.workspaceId, examples, counts);
    expect(result.version).toBe(2);
    expect(result.heldOut?.accuracy).toBeGreaterThan(0.5);
    const { body } = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Stuck queued runs',
      message: { text: 'our pipeline runs are stuck in the queue and never start' },
      customer: { email: 'r@example.com' },
    });
    await t.desk.runPipeline(ws.workspaceId, body.ticket.id, 'created');
    const detail = (await ws.call('GET', `/api/v1/tickets/${body.ticket.id}`)).body;
    const understand = detail.decisions.find((d: { stage: string }) => d.stage === 'understand');
    expect(understand.modelVersion).toBe('intent@2');
    expect(understand.result.intent.alternatives.map((a: { intent: string }) => a.intent)).toContain('scheduler_stuck');
  });

  it('routes unsupported languages to a human without guessing an intent', async () => {
    const { body } = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Problema con la factura',
      message: { text: 'Hola, no puedo descargar la factura de este mes, ¿me pueden ayudar por favor?' },
      customer: { email: 'es@example.com' },
    });
    await t.desk.runPipeline(ws.workspaceId, body.ticket.id, 'created');
    const detail = (await ws.call('GET', `/api/v1/tickets/${body.ticket.id}`)).body;
    const understand = detail.decisions.find((d: { stage: string }) => d.stage === 'understand');
    expect(understand.result.language.supported).toBe(false);
    expect(understand.result.intent).toBeNull();
    const decide = detail.decisions.find((d: { stage: string }) => d.stage === 'decide');
    expect(decide.result.reason).toBe('language_supported');
  });
});
