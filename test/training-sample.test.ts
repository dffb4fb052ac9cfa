/**
 * The bounded read of a workspace's labelled tickets for training (issue 20): a sample stratified by intent,
 * checked against the same choice made from every labelled ticket, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '../bench/synthetic.js';
import { allocateSample } from '../src/learning/label-sample.js';
import { gatherTrainingExamples, labelledTicketSample } from '../src/learning/training.js';
import { systemActor, type Ctx } from '../src/store/ctx.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

describe.each(backends())('labelled ticket sample on %s', (kind) => {
  let t: TestDesk;
  let ctx: Ctx;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    const ws = await newWorkspace(t);
    ctx = t.desk.ctx(ws.workspaceId, systemActor);
    // 2 in 5 of these carry a person's label (the rest the assistant's guess), ~50 intents of uneven size
    await generateHistory(t.desk.database.executeSql, { workspaceId: ws.workspaceId, tickets: 1500, messages: true });
  });
  afterAll(async () => t?.close());

  it('keeps rare intents whole and the newest tickets of the others, never the assistant’s guesses', async () => {
    const { rows } = await t.desk.database.executeSql(
      `select id, intent from tickets where workspace_id = $1 and intent is not null and intent_confidence is null
       order by created_at desc, id desc`,
      [ctx.workspaceId],
    );
    const byIntent = new Map<string, string[]>();
    for (const r of rows) byIntent.set(String(r.intent), [...(byIntent.get(String(r.intent)) ?? []), String(r.id)]);
    const max = 200;
    const allocation = allocateSample(new Map([...byIntent].map(([k, ids]) => [k, ids.length])), max);
    const expected = [...byIntent].flatMap(([k, ids]) => ids.slice(0, allocation.get(k)));

    const { examples, sample } = await labelledTicketSample(ctx, max);
    expect(examples.map((e) => e.id).sort()).toEqual(expected.sort());
    expect(sample).toMatchObject({ labels: rows.length, used: expected.length, intents: byIntent.size, max });
    expect(sample.used).toBeLessThanOrEqual(max);
    expect(sample.cutIntents).toBeGreaterThan(0);
    const rare = [...byIntent].filter(([, ids]) => ids.length < sample.perIntent);
    expect(rare.length).toBeGreaterThan(0);
    for (const [label, ids] of rare) expect(examples.filter((e) => e.label === label)).toHaveLength(ids.length);
    // the text is the subject and the first customer message
    expect(examples[0]!.text).toMatch(/^Problem with .+\nProblem with .+ It happened again today, please help\.$/);
  });

  it('trains from the sample and says what it kept', async () => {
    const { counts, sample } = await gatherTrainingExamples(ctx, { tickets: true, starter: false });
    expect(sample).toMatchObject({ used: counts.tickets, cutIntents: 0 }); // 600 labels: under the budget, all kept
    expect(sample!.labels).toBe(counts.tickets);
  });
});
