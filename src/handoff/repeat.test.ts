import { describe, expect, it } from 'vitest';
import { asksCustomer, fieldsAsked, repeatedQuestions, ticketRepeat } from './repeat.js';
import { snapshotOf, type PacketSnapshot } from './snapshot.js';

/** A packet that held the tier and plan, a failed invoice, an error on a page, the email, and a step tried. */
const full: PacketSnapshot = snapshotOf({
  messages: ['Every run fails with a 500 error. I already restarted the scheduler and cleared the cache.'],
  enrichment: null,
  account: { name: 'Northwind', tier: 'enterprise', plan: 'Scale', billingState: 'past_due' },
  customer: { email: 'ops@northwind.example' },
  page: { featureId: 'pipelines', recentErrors: ['HTTP 500 POST /api/runs'] },
});
/** A packet that knew only the ask. */
const bare: PacketSnapshot = snapshotOf({ messages: ['It does not work.'], enrichment: null });

describe('asksCustomer', () => {
  it.each([
    ['Which plan are you on?', true],
    ['Could you please send me the invoice number.', true],
    ['Please share a screenshot of the error', true],
    ['Let me know the email you signed up with.', true],
    ['I need your account email to look this up.', true],
    ['I see you are on the Scale plan.', false],
    ['Please find the invoice attached.', false],
    ['Please try clearing the cache.', false],
    ['Thanks for the details, I am looking into the error now.', false],
  ])('%s → %s', (sentence, asks) => expect(asksCustomer(sentence)).toBe(asks));
});

describe('fieldsAsked', () => {
  it('names the fields a question is about', () => {
    expect(fieldsAsked('Which plan or tier are you on?')).toEqual(['plan']);
    expect(fieldsAsked('Can you send the invoice and the exact error message?')).toEqual(['billing', 'errors']);
    expect(fieldsAsked('What page were you on, and what email do you log in with?')).toEqual(['page', 'account']);
    expect(fieldsAsked('What have you tried so far?')).toEqual(['steps_tried']);
  });

  it('needs the question to ask for the information, not about something else', () => {
    expect(fieldsAsked('Do you still get the error?')).toEqual([]);
    expect(fieldsAsked('Would upgrading your plan help?')).toEqual([]);
    expect(fieldsAsked('Could you click the link in my last email?')).toEqual([]);
  });

  it('counts a specific step only when it is one the customer tried', () => {
    const tried = ['I already restarted the scheduler and cleared the cache.'];
    expect(fieldsAsked('Have you tried clearing your cache?', tried)).toEqual(['steps_tried']);
    expect(fieldsAsked('Have you tried another browser?', tried)).toEqual([]);
  });
});

describe('repeatedQuestions', () => {
  it('finds the questions whose answer the packet already showed, and says why', () => {
    const reply =
      'Hi Nancy, sorry about this. Which plan are you on? Could you send me the exact error you see? ' +
      'Have you tried clearing your cache? Also, which browser do you use?';
    const found = repeatedQuestions(full, reply);
    expect(found.map((q) => [q.question, q.fields])).toEqual([
      ['Which plan are you on?', ['plan']],
      ['Could you send me the exact error you see?', ['errors']],
      ['Have you tried clearing your cache?', ['steps_tried']],
    ]);
    expect(found[0]!.reason).toBe(
      'Asked about plan or tier, which the packet already showed (tier enterprise, plan Scale).',
    );
    expect(found[1]!.reason).toMatch(/errors, which the packet already showed \("HTTP 500 POST \/api\/runs"\)/);
  });

  it('is no repeat when the packet did not hold it, or when the agent states rather than asks', () => {
    expect(repeatedQuestions(bare, 'Which plan are you on? What error do you see? What is your email?')).toEqual([]);
    expect(
      repeatedQuestions(
        full,
        'I can see you are on the Scale plan and the 500 error on the pipelines page. Fixing it.',
      ),
    ).toEqual([]);
  });

  it('reads only the agent’s own words, not the quoted thread', () => {
    const reply =
      'We have fixed it, it works again.\n\nOn Mon, 1 Jun 2026 at 09:00, Nancy wrote:\n> Which plan am I on?';
    expect(repeatedQuestions(full, reply)).toEqual([]);
  });
});

describe('ticketRepeat', () => {
  const at = (m: number) => new Date(Date.UTC(2026, 5, 1, 9, m));
  it('reads each reply against the snapshot of the latest handoff before it', () => {
    const r = ticketRepeat(
      [
        { at: at(0), packet: bare },
        { at: at(30), packet: full },
      ],
      [
        { at: at(10), text: 'Which plan are you on?' },
        { at: at(40), text: 'What email address do you use?' },
      ],
    );
    expect(r.checked).toBe(true);
    expect(r.repeated.map((q) => q.fields)).toEqual([['account']]);
  });

  it('cannot be checked without a snapshot or a reply after it', () => {
    expect(ticketRepeat([{ at: at(0), packet: null }], [{ at: at(5), text: 'Which plan?' }]).checked).toBe(false);
    expect(ticketRepeat([{ at: at(10), packet: full }], [{ at: at(5), text: 'Which plan?' }]).checked).toBe(false);
    expect(ticketRepeat([{ at: at(0), packet: full }], []).checked).toBe(false);
  });
});
