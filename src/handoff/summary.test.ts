import { describe, expect, it } from 'vitest';
import { alreadyTried, askLine, briefLines, briefOf, nextStepFrom, oneLine, toneLine } from './summary.js';

const conversation = [
  'Hi team, Nancy here.\n\nSince 9am every production pipeline run fails with a 500 error on the warehouse step. ' +
    'I already restarted the scheduler and cleared the cache, it did not help. Can you look at it ' +
    'today?\n\nBest regards,\nNancy Davolio\nNorthwind',
  'Still broken!!! This is the third time this month.\n\nOn Tue, Nancy wrote:\n> Since 9am every production ' +
    'pipeline run fails',
];
const similar = [
  {
    id: 't-other',
    subject: 'Export greyed out',
    intent: 'how_to',
    resolution: 'Hi Ann,\n\nThe export button needs the Pro plan.',
  },
  {
    id: 't-same',
    subject: 'Runs fail with 500 error',
    intent: 'bug_report',
    resolution:
      'Hi Bob,\n\nThanks for the details. Rotate the warehouse credential under Settings → Connections and rerun ' +
      'the pipeline.',
  },
];

describe('handoff brief (extractive, deterministic)', () => {
  it('states the ask in one line, what was tried, the facts, the tone and a next step', () => {
    const brief = briefOf({
      messages: conversation,
      facts: ['Account: tier enterprise, plan Business.'],
      trend: [
        { label: 'neutral', compound: 0 },
        { label: 'negative', compound: -0.7 },
      ],
      direction: 'worsening',
      cues: ['frustration: still_broken'],
      similar,
      intent: 'bug_report',
    });
    expect(brief).toEqual({
      ask: 'Can you look at it today?',
      tried: ['I already restarted the scheduler and cleared the cache, it did not help.'],
      facts: ['Account: tier enterprise, plan Business.'],
      tone: 'neutral → negative (worsening); cues: frustration: still_broken',
      nextStep: {
        text: 'Rotate the warehouse credential under Settings → Connections and rerun the pipeline.',
        fromTicket: 't-same',
        subject: 'Runs fail with 500 error',
      },
    });
    expect(
      briefOf({
        messages: conversation,
        facts: [],
        trend: [],
        direction: 'unknown',
        cues: [],
        similar,
        intent: 'bug_report',
      }),
    ).toEqual(
      briefOf({
        messages: conversation,
        facts: [],
        trend: [],
        direction: 'unknown',
        cues: [],
        similar,
        intent: 'bug_report',
      }),
    );
    expect(briefLines(brief)).toEqual([
      'Ask: Can you look at it today?',
      'Already tried: I already restarted the scheduler and cleared the cache, it did not help.',
      'Fact: Account: tier enterprise, plan Business.',
      'Tone: neutral → negative (worsening); cues: frustration: still_broken',
      'Suggested next step (from "Runs fail with 500 error"): Rotate the warehouse credential under Settings → ' +
        'Connections and rerun the pipeline.',
    ]);
  });

  it('falls back to a request, then the first sentence, for the ask', () => {
    expect(askLine(['Hello!\nWe moved offices last month. Please send the invoice to the new address.'])).toBe(
      'Please send the invoice to the new address.',
    );
    expect(askLine(['We met on Monday.'])).toBe('We met on Monday.');
  });

  it('prefers a resolved ticket of the same intent, else the closest, else none', () => {
    expect(nextStepFrom(similar, 'how_to')?.fromTicket).toBe('t-other');
    expect(nextStepFrom(similar, null)?.fromTicket).toBe('t-other');
    expect(nextStepFrom([{ id: 'x', subject: 's', intent: null, resolution: null }], null)).toBeNull();
  });

  it('cuts long lines at a word and describes a single message', () => {
    expect(oneLine('word '.repeat(100), 40).length).toBeLessThanOrEqual(40);
    expect(oneLine('word '.repeat(100), 40).endsWith('…')).toBe(true);
    expect(toneLine([{ label: 'negative', compound: -0.5 }], 'unknown', [])).toBe('negative');
    expect(toneLine([], 'unknown', [])).toBe('no customer message');
  });

  it('takes a question about how to do something for the ask, not for a step tried', () => {
    expect(alreadyTried(['How do I reset my password? I forgot it and cannot log in.'])).toEqual([]);
    expect(alreadyTried(['Can we reset the workspace?'])).toEqual([]);
    expect(alreadyTried(['I reset my password twice, why does it still fail?'])).toEqual([
      'I reset my password twice, why does it still fail?',
    ]);
  });
});
