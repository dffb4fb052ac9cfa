/**
 * Long-ticket check for the intent classifier: each short question wrapped, deterministically, in what real support
 * email carries around it — a greeting with a name, paragraphs of background that ask nothing, the question at the
 * start, in the middle or at the end, a sign-off and a signature. The label stays the question's. The background
 * sentences are written here once, in the voice of a customer, and name no banking intent (they must not change
 * the answer); the questions are the data set's own.
 */
import { rng } from '../src/nlp/intent/numeric.js';
import type { LabelledExample } from '../src/nlp/intent/schema.js';

const GREETINGS = [
  'Hi there,',
  'Hello team,',
  'Good morning,',
  'Dear support,',
  'Hey,',
  'Hi, Maria here.',
  'Hello, this is Tom Becker.',
  'Good afternoon support team,',
];

const BACKGROUND = [
  'I have been using your app for about two years now and overall I am happy with it.',
  'I am writing from my phone, so sorry for any typos.',
  'My partner and I share most of our expenses and we both use the service every day.',
  'I travel quite a lot for work, mostly within Europe, and I rely on this a great deal.',
  'Last week was very busy for me, with the move to the new flat and everything that comes with it.',
  'A friend of mine recommended you when I opened my account, and until now things went smoothly.',
  'I tried to look through the help pages first but could not find what I was after.',
  'I already spoke to someone on the chat a few days ago, but the conversation was cut off.',
  'I am not very good with technology, so please bear with me.',
  'This is the first time I have had to contact you.',
  'Everything else in the app seems to work as usual.',
  'I restarted my phone and updated the app to the latest version this morning.',
  'My sister has an account with you as well and she has never had this problem.',
  'I am currently on holiday and will be back home at the end of the month.',
  'I use the app mostly for groceries and the occasional online order.',
  'I work night shifts, so replying during the day may take me a while.',
  'English is not my first language, I hope this makes sense.',
  'I have attached nothing to this message, but I can send screenshots if that helps.',
  'Thanks for the quick replies in the past, they were always helpful.',
  'I checked my email, including the spam folder, before writing to you.',
  'We are a small family business and I handle the paperwork in the evenings.',
  'The weather here has been terrible, so I have been at home most of the week.',
  'I noticed this yesterday evening while I was sorting out my monthly budget.',
  'I would rather sort this out by message than by phone, if possible.',
];

const SIGNOFFS = [
  'Thanks in advance,',
  'Kind regards,',
  'Best wishes,',
  'Cheers,',
  'Many thanks,',
  'Thank you for your help,',
];
const NAMES = ['Anna', 'James Miller', 'Priya', 'Lukas Schmidt', 'Sofia R.', 'Daniel', 'Chen Wei', 'Olivia Brown'];
const SIGNATURES = [
  '',
  '',
  'Sent from my iPhone',
  'Sent from my Android phone',
  '--\nThis email and any attachments are confidential.',
];

/** Wraps each example's text in a long, email-like message (deterministic for a seed); labels unchanged. */
export function wrapLong(examples: readonly LabelledExample[], seed = 17): LabelledExample[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return examples.map((e) => {
    // background sentences are not repeated within one message
    const used = new Set<string>();
    const paragraph = (n: number) => {
      const out: string[] = [];
      while (out.length < n) {
        const b = pick(BACKGROUND);
        if (used.has(b)) continue;
        used.add(b);
        out.push(b);
      }
      return out.join(' ');
    };
    const before = paragraph(2 + Math.floor(r() * 3));
    const after = paragraph(1 + Math.floor(r() * 3));
    const where = Math.floor(r() * 3);
    const body =
      where === 0
        ? [e.text, before, after]
        : where === 1
          ? [before, e.text + ' ' + paragraph(1), after]
          : [before, after, e.text];
    const sig = pick(SIGNATURES);
    const text = [pick(GREETINGS), ...body, `${pick(SIGNOFFS)}\n${pick(NAMES)}${sig ? `\n\n${sig}` : ''}`].join('\n\n');
    return { text, label: e.label };
  });
}
