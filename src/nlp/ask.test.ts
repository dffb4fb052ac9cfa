import { describe, expect, it } from 'vitest';
import { findAsk, isAsking, LONG_MESSAGE_WORDS } from './ask.js';

const story = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `On day ${i + 1} our team met in the office and we reviewed the quarterly roadmap together with the designers.`,
  ).join(' ');

describe('findAsk', () => {
  it('leaves a short clean question as it is', () => {
    const ask = findAsk('How do I export my tickets to CSV?');
    expect(ask.text).toBe('How do I export my tickets to CSV?');
    expect(ask.reduced).toBe(false);
  });

  it('sets aside a greeting with a name, an order-number line and a sign-off', () => {
    const ask = findAsk(
      'hello, Maria here.\nOrder #884213\nI was charged for something I never bought.\n\nThanks,\nMaria Lopez',
    );
    expect(ask.text).toBe('I was charged for something I never bought.');
    expect(ask.references.name).toBe('Maria');
    expect(ask.references.orderNumbers).toEqual(['884213']);
    expect(ask.removed.greeting).toMatch(/hello, Maria here/i);
    expect(ask.removed.signOff).toBe('Thanks,');
    expect(ask.removed.referenceLines).toEqual(['Order #884213']);
  });

  it('sets aside an introduction with a company and an account reference', () => {
    const ask = findAsk('Hi there, Aisha Khan from Pied Piper here (account PW-48866).\n\nHow do I export runs?');
    expect(ask.text).toBe('How do I export runs?');
    expect(ask.references.name).toBe('Aisha Khan');
    expect(findAsk('Hi, Marco from Hooli here. Can we pay yearly?').text).toBe('Can we pay yearly?');
  });

  it('keeps a question that follows the greeting on the same line', () => {
    expect(findAsk('Hi team, how do I add a seat?').text).toBe('how do I add a seat?');
    expect(findAsk('Hey, why is my invoice higher this month?').text).toBe('why is my invoice higher this month?');
    // "Hi" that starts the sentence itself is not cut from a word.
    expect(findAsk('Hiring managers cannot see the reports').text).toBe('Hiring managers cannot see the reports');
  });

  it('keeps an order number that is part of the question', () => {
    const ask = findAsk('Can you cancel order 113542617735902 please?');
    expect(ask.text).toBe('Can you cancel order 113542617735902 please?');
    expect(ask.references.orderNumbers).toEqual(['113542617735902']);
  });

  it('cuts a quoted e-mail thread (Gmail header and > lines)', () => {
    const text = [
      'It still fails after the update. Can you look at the sync log?',
      '',
      'On Mon, 3 Jun 2024 at 10:12, Deskmind Support <support@example.com> wrote:',
      '> Hi Ann, please update to the latest version and try again.',
      '> Best, Tom',
    ].join('\n');
    const ask = findAsk(text);
    expect(ask.text).toBe('It still fails after the update. Can you look at the sync log?');
    expect(ask.removed.quotedLines).toBe(3);
  });

  it('cuts a header split over two lines and an Outlook block', () => {
    expect(
      findAsk(
        'Why was I billed twice?\n\nOn Tue, Jun 4, 2024 at 9:00 AM Support\n<help@x.io> wrote:\n> Thanks for writing',
      ).text,
    ).toBe('Why was I billed twice?');
    expect(
      findAsk('Any news on this?\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nWe are looking into it.')
        .text,
    ).toBe('Any news on this?');
    expect(
      findAsk('Please refund me.\n________________________________\nFrom: Billing <b@x.io>\nSent: Tuesday').text,
    ).toBe('Please refund me.');
  });

  it('reads a forwarded message that is only a quote', () => {
    expect(findAsk('> How do I change my plan?').text).toBe('How do I change my plan?');
  });

  it('cuts a signature block with name, title and phone', () => {
    const ask = findAsk(
      'The export button does nothing when I click it.\n\nBest regards,\nJohn Smith\nHead of Operations, Acme ' +
        'Ltd\n+1 555 0100',
    );
    expect(ask.text).toBe('The export button does nothing when I click it.');
    expect(ask.removed.signatureLines).toBe(4);
    expect(findAsk('Where is my refund?\n\nSent from my iPhone').text).toBe('Where is my refund?');
    expect(findAsk('Where is my refund?\n-- \nJane | Acme').text).toBe('Where is my refund?');
  });

  it('finds a question buried at the end of a long message', () => {
    const text = `${story(40)}\n\nAnyway, all of that aside: how do I reset my password?`;
    const ask = findAsk(text);
    expect(ask.words.original).toBeGreaterThan(500);
    expect(ask.reduced).toBe(true);
    expect(ask.text).toContain('how do I reset my password?');
    expect(ask.words.ask).toBeLessThanOrEqual(90);
    expect(ask.removed.contextSentences).toBeGreaterThan(30);
  });

  it('finds a question buried in the middle, and keeps the sentence before a short one', () => {
    const text =
      `${story(10)}\n\nOur last invoice shows two charges for the same month. ` + `Can you fix it?\n\n${story(10)}`;
    const ask = findAsk(text);
    expect(ask.text).toContain('Our last invoice shows two charges for the same month. Can you fix it?');
  });

  it('keeps a long message without questions to its edges and requests', () => {
    const text = `${story(8)}\n\nThe dashboard has been broken since Tuesday and nothing loads.\n\n${story(8)}`;
    const ask = findAsk(text);
    expect(ask.reduced).toBe(true);
    expect(ask.text).toContain('The dashboard has been broken since Tuesday and nothing loads.');
  });

  it('takes the announced ask without its announcement, over a story that needs things', () => {
    const background =
      "We're in the middle of a migration and I need to understand a list of things before we switch off the old " +
      'servers at the end of the month.';
    const text =
      `Hello,\n\n${background} ${story(6)}\n\nThe reason I'm writing: clicked forgot password twice and ` +
      'still nothing has shown up in my inbox.\n\nThat is all for now, thanks!\n\nAisha';
    expect(findAsk(text).text).toBe('clicked forgot password twice and still nothing has shown up in my inbox.');
    const asked = `${story(8)}\n\nMy question is: can I pay by bank transfer?\n\n${story(2)}`;
    expect(findAsk(asked).text).toBe('can I pay by bank transfer?');
  });

  it('reads a problem that is stated, not asked, as the ask', () => {
    for (const problem of [
      'I never received the reset email.',
      'Nothing has shown up in my inbox since Monday.',
      'The invitation link expired before I opened it.',
      'The login page keeps kicking me out.',
    ])
      expect(isAsking(problem)).toBe(true);
  });

  it('does not reduce a message at the length limit', () => {
    const text = Array.from({ length: LONG_MESSAGE_WORDS }, () => 'word').join(' ');
    expect(findAsk(text).reduced).toBe(false);
  });

  it('joins several messages', () => {
    const ask = findAsk(['Hi,\nMy card was declined.', 'Also, can I pay by invoice instead?\n\nCheers']);
    expect(ask.text).toBe('My card was declined.\nAlso, can I pay by invoice instead?');
  });

  it('falls back to the message when nothing but a greeting is left', () => {
    expect(findAsk('Hello!').text).toBe('Hello!');
  });
});

describe('isAsking', () => {
  it('tells questions and requests from statements', () => {
    expect(isAsking('Can you help?')).toBe(true);
    expect(isAsking('Please send me the invoice')).toBe(true);
    expect(isAsking('The sync is broken')).toBe(true);
    expect(isAsking('We met in the office on Monday.')).toBe(false);
  });
});
