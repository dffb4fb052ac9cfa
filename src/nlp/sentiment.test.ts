import { describe, expect, it } from 'vitest';
import { analyseSentiment, SentimentResultSchema, type SentimentResult } from './sentiment.js';

const cueIds = (r: SentimentResult) => r.cues.map((c) => c.cue);

describe('analyseSentiment: VADER-style compound', () => {
  it('labels a thank-you as positive', () => {
    const r = analyseSentiment('Thanks, that worked great');
    expect(r.label).toBe('positive');
    expect(r.compound).toBeGreaterThan(0.5);
    expect(r.cues).toEqual([]);
    expect(r.churnRisk).toBe(false);
  });

  it('labels a plain question as neutral', () => {
    const r = analyseSentiment('How do I export CSV from the dashboard?');
    expect(r.label).toBe('neutral');
    expect(r.compound).toBe(0);
    expect(r.neu).toBe(1);
  });

  it('flips negated words ("not bad at all", "not good")', () => {
    expect(analyseSentiment('not bad at all').label).toBe('positive');
    expect(analyseSentiment('This is not good').label).toBe('negative');
    expect(analyseSentiment("The export isn't working").compound).toBeLessThan(0);
    expect(analyseSentiment("It doesn't work :(").label).toBe('negative');
  });

  it('boosters raise and dampeners lower the magnitude', () => {
    const base = analyseSentiment('The new editor is good').compound;
    const boosted = analyseSentiment('The new editor is very good').compound;
    const damped = analyseSentiment('The new editor is slightly good').compound;
    expect(boosted).toBeGreaterThan(base);
    expect(damped).toBeLessThan(base);
    expect(damped).toBeGreaterThan(0);
  });

  it('ALL-CAPS words and exclamation marks add emphasis', () => {
    const base = analyseSentiment('the export is bad').compound;
    expect(analyseSentiment('the export is BAD').compound).toBeLessThan(base);
    expect(analyseSentiment('the export is bad!!!').compound).toBeLessThan(base);
    expect(analyseSentiment('the export is great!!').compound).toBeGreaterThan(
      analyseSentiment('the export is great').compound,
    );
  });

  it('"but" shifts the weight to the later clause', () => {
    expect(analyseSentiment('The setup was great but the sync is terrible').label).toBe('negative');
    expect(analyseSentiment('The sync is terrible but your support was great').label).toBe('positive');
  });

  it('keeps the compound in [-1, 1] and validates against the schema', () => {
    const r = analyseSentiment('awful horrible terrible worst disaster nightmare!!!! '.repeat(20));
    expect(r.compound).toBeGreaterThanOrEqual(-1);
    expect(r.compound).toBeLessThan(-0.95);
    expect(() => SentimentResultSchema.parse(r)).not.toThrow();
    expect(() => SentimentResultSchema.parse(analyseSentiment(''))).not.toThrow();
    expect(analyseSentiment('').label).toBe('neutral');
  });
});

describe('analyseSentiment: support cues', () => {
  it('"third time ... still broken!!!" is negative with frustration cues and evidence', () => {
    const r = analyseSentiment("This is the third time I'm asking, still broken!!!");
    expect(r.label).toBe('negative');
    expect(cueIds(r)).toEqual(expect.arrayContaining(['repeat_contact', 'still_broken', 'repeated_exclamation']));
    expect(r.emotions.frustration).toBeGreaterThan(0.7);
    expect(r.cues.find((c) => c.cue === 'repeat_contact')?.evidence).toBe('third time');
    expect(r.cues.find((c) => c.cue === 'repeated_exclamation')?.evidence).toBe('!!!');
    // strongest first
    const weights = r.cues.map((c) => c.weight);
    expect([...weights].sort((a, b) => b - a)).toEqual(weights);
  });

  it('flags churn on cancel / competitor cues', () => {
    const r = analyseSentiment(
      'Honestly this is a waste of time. I want to cancel my subscription and switch to a competitor.',
    );
    expect(r.churnRisk).toBe(true);
    expect(cueIds(r)).toEqual(expect.arrayContaining(['cancel_account', 'switching_competitor', 'waste_of_time']));
    expect(r.cues.filter((c) => c.kind === 'churn')).toHaveLength(2);
  });

  it('does not flag churn when the cancel is negated or the switch is not to a competitor', () => {
    expect(analyseSentiment("I don't want to cancel my account, I just need the invoice").churnRisk).toBe(false);
    expect(analyseSentiment('How do I switch to the annual plan?').churnRisk).toBe(false);
    expect(analyseSentiment('We plan to migrate to your platform next week').churnRisk).toBe(false);
    expect(analyseSentiment('Moving to Zendesk next month').churnRisk).toBe(true);
    expect(analyseSentiment("We won't renew").churnRisk).toBe(true);
  });

  it('detects shouting but not acronyms', () => {
    const r = analyseSentiment('WHY IS THIS STILL NOT FIXED');
    expect(cueIds(r)).toContain('shouting');
    expect(r.emotions.anger).toBeGreaterThan(0.3);
    const calm = analyseSentiment('How do I set up SSO with SAML and export a CSV via the API?');
    expect(cueIds(calm)).not.toContain('shouting');
    expect(calm.emotions.anger).toBe(0);
  });

  it('detects anger words and legal threats', () => {
    const r = analyseSentiment(
      'This is unacceptable and ridiculous. My lawyer will hear about this and I will file a chargeback.',
    );
    expect(cueIds(r)).toEqual(expect.arrayContaining(['unacceptable', 'ridiculous', 'lawyer', 'chargeback']));
    expect(r.cues.filter((c) => c.kind === 'legal').length).toBeGreaterThanOrEqual(2);
    expect(r.emotions.anger).toBeGreaterThan(0.8);
    expect(cueIds(analyseSentiment("I'm going to sue you"))).toContain('sue');
    expect(cueIds(analyseSentiment('I will report you to the better business bureau'))).toContain('report_you');
    // Mentioning a legal team or reporting a bug is not a threat.
    expect(analyseSentiment('Our legal team needs an archive of all tickets for an audit').cues).toEqual([]);
    expect(analyseSentiment('How do I report this bug?').cues).toEqual([]);
  });

  it('detects anxiety: urgency, lost data, deadlines', () => {
    const r = analyseSentiment(
      "I'm really worried, we lost all our data and the deadline is tomorrow. Please help asap",
    );
    expect(cueIds(r)).toEqual(expect.arrayContaining(['worried', 'data_loss', 'deadline', 'urgent']));
    expect(r.emotions.anxiety).toBeGreaterThan(0.8);
  });

  it('ignores negated emotion words', () => {
    const r = analyseSentiment("No rush, it's not urgent and I'm not worried about it");
    expect(cueIds(r)).not.toContain('urgent');
    expect(cueIds(r)).not.toContain('worried');
    expect(r.emotions.anxiety).toBe(0);
  });

  it('"nobody answers" and repeated question marks are frustration', () => {
    const r = analyseSentiment('Nobody answers my emails??? Hello???');
    expect(cueIds(r)).toEqual(expect.arrayContaining(['nobody_answers', 'repeated_question']));
    expect(r.emotions.frustration).toBeGreaterThan(0.5);
  });

  it('plain "again" is a weak cue; an emphatic one is stronger', () => {
    const weak = analyseSentiment('Could you send the invoice again?');
    expect(weak.cues).toEqual([{ cue: 'again', kind: 'frustration', weight: 0.2, evidence: 'again' }]);
    const strong = analyseSentiment('The sync failed again');
    expect(cueIds(strong)).toContain('again_emphatic');
    expect(cueIds(strong)).not.toContain('again');
  });

  it('"how many times" is exasperation when the customer keeps asking, not when they ask about a number', () => {
    for (const t of [
      'How many times do I have to ask?',
      'How many more times will this break?',
      'how many times have I told you',
    ])
      expect(cueIds(analyseSentiment(t)), t).toContain('how_many_times');
    for (const t of ['How many times do you retry a failed charge?', 'How many times can a run be retried?'])
      expect(cueIds(analyseSentiment(t)), t).not.toContain('how_many_times');
  });

  it('handles typographic apostrophes', () => {
    expect(analyseSentiment('It still doesn\u2019t work').cues.map((c) => c.cue)).toContain('still_broken');
  });
});

describe('irony and bare swear words', () => {
  it('reads praise in a complaint as negative, with the irony cue', () => {
    for (const text of [
      'Great… broken again. Fantastic work',
      'great, broken again, thanks',
      'Oh wonderful, the export failed for the third time.',
      'I love how the app crashes every time I open it',
      'Thanks for nothing, my account is still locked.',
    ]) {
      const s = analyseSentiment(text);
      expect(s.label, text).toBe('negative');
      expect(
        s.cues.some((c) => c.cue === 'irony'),
        text,
      ).toBe(true);
      // The plain lexicon reads the same words as praise.
      expect(analyseSentiment(text, { baseline: true }).compound, text).toBeGreaterThan(0);
    }
  });

  it('keeps meant praise positive: no problem, or a problem that is solved', () => {
    for (const text of [
      'Thanks! It works now, great',
      'Great job on the new release, the dashboard is fast',
      'The export was broken but now it works, great!',
    ]) {
      const s = analyseSentiment(text);
      expect(s.label, text).toBe('positive');
      expect(
        s.cues.some((c) => c.cue === 'irony'),
        text,
      ).toBe(false);
    }
  });

  it('leaves a polite thanks after a report alone', () => {
    expect(analyseSentiment('Hi, the login page shows an error. Thanks!').cues.some((c) => c.cue === 'irony')).toBe(
      false,
    );
  });

  it('reads a swear word that intensifies nothing as annoyance, and one that intensifies as a booster', () => {
    expect(analyseSentiment('I need to change the damn shipping address').label).toBe('negative');
    expect(analyseSentiment('I need to change the damn shipping address', { baseline: true }).label).toBe('neutral');
    expect(analyseSentiment('the new editor is damn good').label).toBe('positive');
  });
});
