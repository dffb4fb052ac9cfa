import { describe, expect, it } from 'vitest';
import { classifyOutcome } from '../learning/outcomes.js';
import { rng } from '../nlp/intent/numeric.js';
import type { DemoTicket } from './history.js';
import { MISSED_ANSWER, playTicket, type StagesRun, type TicketTimeline } from './timeline.js';

const created = new Date('2026-05-01T09:00:00Z');
const end = new Date('2026-06-01T00:00:00Z');
const row: DemoTicket = {
  externalId: 'demo-h-1',
  subject: 'Export runs',
  text: 'How do I export my run history as a CSV file?',
  customer: { email: 'maria@initech.example', name: 'Maria Lopez', accountExternalId: 'acc_initech' },
  channel: 'widget',
  tags: [],
  intent: 'data_export',
  createdAt: created,
  pageContext: null,
  state: 'settled',
  reply: 'Open Runs, then Export.',
  comesBack: false,
};

const run = (intent: string, answer: boolean): StagesRun => ({
  runId: `run-${intent}-${answer}`,
  records: [
    { stage: 'understand', ok: true, result: { intent: { intent, confidence: 0.95 } }, modelVersion: 'intent@1' },
  ],
  actions: [
    { type: 'set_intent', intent, confidence: 0.95 },
    answer
      ? { type: 'auto_resolve', text: 'Here is how.', sources: [] }
      : { type: 'hand_off', reason: 'playbook_available', detail: 'the playbook always hands off' },
  ],
});
const handOff: StagesRun = {
  runId: 'again',
  records: [],
  actions: [{ type: 'hand_off', reason: 'not_repeat_contact', detail: 'reopened 1 time(s)' }],
};

/** Plays the row with each seed until `pred` holds for the timeline (the reactions are drawn at random). */
async function playUntil(first: StagesRun, pred: (t: TicketTimeline) => boolean, r: Partial<DemoTicket> = {}) {
  for (let seed = 1; seed < 200; seed++) {
    const t = await playTicket({ ...row, ...r }, first, {
      end,
      closeAfterHours: 72,
      rand: rng(seed),
      rerun: async () => handOff,
    });
    if (pred(t)) return t;
  }
  throw new Error('no seed plays it');
}
const types = (t: TicketTimeline) => t.events.map((e) => `${e.by}:${e.type}`);

describe('playTicket', () => {
  it('a right answer holds: resolved by the assistant, closed once quiet, no_reply', async () => {
    const t = await playUntil(
      run('data_export', true),
      (x) => !x.events.some((e) => e.by === 'customer' && e.type === 'outcome.recorded'),
    );
    // as addMessage and updateTicket record it: the reply opens the ticket, then resolving it
    expect(types(t).slice(0, 7)).toEqual([
      'customer:ticket.created',
      'customer:message.created',
      'assistant:ticket.intent_changed',
      'assistant:ticket.status_changed',
      'assistant:message.created',
      'assistant:ticket.status_changed',
      'assistant:ticket.resolved',
    ]);
    expect(t.state.status).toBe('closed');
    expect(t.tags).toContain('ai_answered');
    expect(t.records[0]).toMatchObject({ stage: 'understand', modelVersion: 'intent@1' });
    const timeline = t.events.map((e) => ({
      type: e.type,
      actorType: e.by,
      data: e.data,
      createdAt: e.at,
    }));
    expect(classifyOutcome(timeline, { now: end })?.outcome).toBe('no_reply');
  });

  it('an answer to the wrong question is reopened, then an agent relabels and answers', async () => {
    const t = await playUntil(run('how_to', true), (x) => x.messages.some((m) => m.text === MISSED_ANSWER));
    expect(t.state.reopenCount).toBe(1);
    expect(types(t)).toContain('customer:ticket.reopened');
    expect(types(t)).toContain('assistant:ticket.handed_off');
    expect(t.events.find((e) => e.type === 'ticket.intent_changed' && e.by === 'agent')?.data).toEqual({
      from: 'how_to',
      to: 'data_export',
    });
    expect(t.intent).toBe('data_export');
    expect(t.intentConfidence).toBeNull();
    const timeline = t.events.map((e) => ({ type: e.type, actorType: e.by, data: e.data, createdAt: e.at }));
    expect(classifyOutcome(timeline, { now: end })?.outcome).toBe('reopened');
  });

  it('handed-off work waits on recent tickets; settled ones are answered, resolved and closed', async () => {
    const waiting = await playUntil(run('data_export', false), () => true, { state: 'waiting' });
    expect(waiting.state.status).toBe('open');
    expect(waiting.messages.map((m) => m.author)).toEqual(['customer']);
    const settled = await playUntil(run('data_export', false), () => true, { comesBack: true });
    expect(settled.messages.map((m) => m.author)).toEqual(['customer', 'agent', 'customer', 'agent']);
    expect(settled.state).toMatchObject({ status: 'closed', reopenCount: 1 });
    expect(settled.events.every((e, i) => i === 0 || e.at >= settled.events[i - 1]!.at)).toBe(true);
    expect(settled.updatedAt.getTime()).toBeLessThanOrEqual(end.getTime());
  });
});
