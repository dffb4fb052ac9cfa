import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentenceEncoder } from '../src/nlp/encoder.js';
import { systemActor } from '../src/store/ctx.js';
import { gatherTrainingExamples, trainWorkspaceIntents } from '../src/learning/training.js';
import { storedSentenceVectors } from '../src/learning/sentence-vectors.js';
import { retrainIntentModel } from '../src/learning/retrain.js';
import { heldExamples } from '../src/learning/retrain-guard.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

/** The desk's encoder, counting the texts it is asked to encode. */
function counting(inner: SentenceEncoder): SentenceEncoder & { encoded: number } {
  const out = {
    id: inner.id,
    dims: inner.dims,
    encoded: 0,
    async embed(texts: string[]) {
      out.encoded += texts.length;
      return inner.embed(texts);
    },
  };
  return out;
}

const LABELLED: [string, string, string][] = [
  ['scheduler_stuck', 'Runs stay queued', 'My pipeline run has been queued for an hour and never starts'],
  ['scheduler_stuck', 'Queued forever', 'Every pipeline run is stuck in queued'],
  ['scheduler_stuck', 'Scheduler stuck', 'The scheduler seems stuck, nothing leaves the queue'],
  ['scheduler_stuck', 'Nothing runs', 'No run has started since this morning, all of them wait in the queue'],
  ['scheduler_stuck', 'Stuck', 'Jobs are pending and do not run'],
  ['scheduler_stuck', 'Pending', 'Our nightly pipeline has been pending for hours'],
  ['scheduler_stuck', 'No start', 'The run never begins, it says waiting for a worker'],
  ['scheduler_stuck', 'Waiting', 'Why are my runs waiting and not starting?'],
  ['scheduler_stuck', 'Queue', 'The queue does not move, nothing gets executed'],
  ['scheduler_stuck', 'Hanging', 'Scheduled pipelines hang in the queued state'],
  ['scheduler_stuck', 'Idle', 'All runs idle in queue since the update'],
  ['vat_number', 'VAT number', 'Please add our VAT number to the invoices'],
  ['vat_number', 'VAT id', 'Where do I enter the VAT id of our company?'],
  ['vat_number', 'Tax', 'We need the tax identification number on every invoice'],
  ['vat_number', 'EU VAT', 'Our EU VAT number should appear on the receipt'],
  ['vat_number', 'VAT missing', 'The VAT number is not printed on the bill'],
  ['vat_number', 'Add VAT', 'Can you add the VAT code to our billing details?'],
  ['vat_number', 'Invoice VAT', 'Invoices must show our VAT registration for accounting'],
  ['vat_number', 'Tax id on invoice', 'Our tax id is missing from the invoice'],
  ['vat_number', 'VAT', 'How do I put our VAT registration on the bills?'],
  ['vat_number', 'Invoice tax number', 'The invoice needs our company tax number printed on it'],
];

describe.each(backends())('intent models that read sentence vectors on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t);
    for (const [intent, subject, text] of LABELLED) {
      const { body } = await ws.call('POST', '/api/v1/tickets', {
        subject,
        message: { text },
        customer: { email: 'q@example.com' },
      });
      await ws.call('PATCH', `/api/v1/tickets/${body.ticket.id}`, { intent });
    }
  });
  afterAll(async () => t?.close());

  /** Opens a ticket, runs the pipeline and returns its understand stage's result. */
  async function understood(subject: string, text: string) {
    const { body } = await ws.call('POST', '/api/v1/tickets', {
      subject,
      message: { text },
      customer: { email: 'r@example.com' },
    });
    await t.desk.runPipeline(ws.workspaceId, body.ticket.id, 'created');
    const detail = (await ws.call('GET', `/api/v1/tickets/${body.ticket.id}`)).body;
    return detail.decisions.find((d: { stage: string }) => d.stage === 'understand').result;
  }

  it('trains with stored vectors, reads each ask with its vector, keeps them through a retrain', async () => {
    const encoder = counting(t.desk.sentenceEncoder!);
    const ctx = t.desk.ctx(ws.workspaceId, systemActor);
    const { examples, counts } = await gatherTrainingExamples(ctx, { tickets: true, starter: false });
    const vectors = storedSentenceVectors(t.desk.database.db, ws.workspaceId, encoder);
    const trained = await trainWorkspaceIntents(
      t.desk.intentModels,
      ws.workspaceId,
      examples,
      counts,
      null,
      null,
      vectors,
    );
    expect(encoder.encoded).toBe(new Set(examples.map((e) => e.text)).size);
    const model = (await t.desk.intentModels.get(ws.workspaceId))!;
    expect(model.version).toBe(trained.version);
    expect(model.model.sentenceEncoderId).toBe(encoder.id);

    // the vectors are stored: the same texts are never encoded again
    const again = await vectors(examples.map((e) => e.text));
    expect(encoder.encoded).toBe(new Set(examples.map((e) => e.text)).size);
    expect(again.vectors).toHaveLength(examples.length);

    // the pipeline reads the ask with its sentence vector when its words alone do not reach the intent's threshold
    // (here a strict one), and says so in the decision record
    expect(
      (await ws.call('PATCH', '/api/v1/settings/autonomy', { intentThresholds: { scheduler_stuck: 1 } })).status,
    ).toBe(200);
    const understand = await understood(
      'Jobs waiting',
      'Nothing has left the waiting line since 8am, our jobs just sit there',
    );
    expect(understand.reading).toMatchObject({ by: 'words_and_meaning', encoder: encoder.id });
    const query = understand.ask.query as string;
    const [vector] = await encoder.embed([query]);
    const expected = model.model.predict(query, vector!);
    expect(understand.intent.topIntent).toBe(expected.topIntent);
    expect(understand.intent.confidence).toBeCloseTo(expected.confidence, 6);

    // a retrain (in its worker thread) learns from the stored vectors again and keeps reading by meaning
    const before = encoder.encoded;
    const retrained = await retrainIntentModel(ctx, t.desk.intentModels, encoder);
    expect(retrained.status).toBe('promoted');
    expect(encoder.encoded).toBe(before);
    expect((await t.desk.intentModels.get(ws.workspaceId))!.model.sentenceEncoderId).toBe(encoder.id);
  });

  it('a model trained on words alone is read by its words', async () => {
    const ctx = t.desk.ctx(ws.workspaceId, systemActor);
    const { examples, counts } = await gatherTrainingExamples(ctx, { tickets: true, starter: false });
    await trainWorkspaceIntents(t.desk.intentModels, ws.workspaceId, examples, counts);
    const understand = await understood('VAT', 'Where do I enter our VAT number for invoices?');
    expect(understand.reading).toMatchObject({ by: 'words', encoder: null });

    // its retrain without the encoder stays on words; with it (DESKMIND_INTENT_SENTENCE on), it learns the examples'
    // vectors (stored already: none is encoded again) and reads by meaning from then on
    expect((await retrainIntentModel(ctx, t.desk.intentModels, null)).status).toBe('promoted');
    expect((await t.desk.intentModels.get(ws.workspaceId))!.model.sentenceEncoderId).toBeNull();
    const encoder = counting(t.desk.sentenceEncoder!);
    expect((await retrainIntentModel(ctx, t.desk.intentModels, encoder)).status).toBe('promoted');
    expect(encoder.encoded).toBe(0);
    expect((await t.desk.intentModels.get(ws.workspaceId))!.model.sentenceEncoderId).toBe(encoder.id);
  });

  it('learns what published articles say they answer, under the intent each is written for first', async () => {
    await ws.call('POST', '/api/v1/articles', {
      title: 'Add your VAT number',
      body: '## Where the VAT number goes\n\nOpen **Billing → Details**. Can I change it later? Yes, at any time.',
      intents: ['vat_number', 'billing_invoice'],
    });
    await ws.call('POST', '/api/v1/articles', {
      title: 'A draft',
      body: '## Not yet',
      intents: ['scheduler_stuck'],
      status: 'draft',
    });
    const ctx = t.desk.ctx(ws.workspaceId, systemActor);
    const { examples, counts } = await gatherTrainingExamples(ctx, { tickets: false, starter: false, articles: true });
    expect(counts.articles).toBe(4);
    // its statements are trained on but never held out to calibrate on: they are not how customers write
    expect(examples).toEqual([
      { text: 'Add your VAT number', label: 'vat_number' },
      { text: 'Where the VAT number goes', label: 'vat_number' },
      { text: 'Can I change it later?', label: 'vat_number' },
      { text: 'Open Billing → Details.', label: 'vat_number', calibrate: false },
    ]);
    // a retrain learns them too, once each however often it runs
    for (let i = 0; i < 2; i++) expect((await retrainIntentModel(ctx, t.desk.intentModels)).status).toBe('promoted');
    const held = heldExamples((await t.desk.intentModels.get(ws.workspaceId))!.model);
    expect(held.filter((e) => examples.some((a) => a.text === e.text))).toEqual(
      examples.map(({ text, label }) => ({ text, label })),
    );
  });
});
