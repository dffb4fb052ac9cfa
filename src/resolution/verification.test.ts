import { describe, expect, it } from 'vitest';
import { isTypoOf } from './text.js';
import { answerJudgeOf } from './answer-judge.js';
import {
  ANSWER_FEATURES,
  answerFeatures,
  asksIfPossible,
  askOf,
  fitAnswerJudge,
  judgeCandidates,
  LONE_CANDIDATE_GAP,
  PRIOR_ANSWER_JUDGE,
  questionsOf,
  scoreAnswer,
  verifyAnswer,
  type AnswerEvidence,
  type AnswerFeatures,
  type AnswerJudgeWeights,
  type AnswerSample,
} from './verification.js';

const features = (over: Partial<AnswerFeatures>): AnswerFeatures => ({
  intentMatch: 1,
  intentConfidence: 0.95,
  lexical: 1,
  margin: 0.2,
  coverage: 0.5,
  titleCoverage: 0.5,
  semantic: 0,
  articleRecord: 0,
  facts: 0,
  capability: 0,
  capabilityUncovered: 0,
  rivalCloser: 0,
  gap: 0.5,
  ...over,
});

describe('askOf', () => {
  it('keeps the question and drops greetings, names, references, signatures and quoted history', () => {
    const text = [
      'Hi there, Dana Whitfield from Initech here (account PW-48213).',
      '',
      'How do I export the run history as CSV?',
      '',
      'Thanks so much,',
      'Dana',
      '--',
      'Dana Whitfield | +1 (555) 0142 | dana@initech.example',
      'On Tue, 3 Nov 2026 at 10:14, Pipewise Support <support@pipewise.example> wrote:',
      '> Your invoice is attached.',
    ].join('\n');
    expect(askOf(text, ['Dana Whitfield', 'Initech']).trim()).toBe('How do I export the run history as CSV?');
  });
});

describe('answer judgement', () => {
  const base = {
    title: 'Move two-factor authentication to a new phone',
    intentMatch: true,
    intentConfidence: 0.95,
    lexical: 1,
    score: 1,
    runnerUp: 0.5,
  };
  it('covers an ask through synonyms and stems, and says what it does not cover', () => {
    const { features: f, missing } = answerFeatures({
      ...base,
      ask: 'I lost my passphrase',
      answer: 'If you forgot your password, click Forgot password.',
    });
    expect(f.coverage).toBe(1);
    expect(missing).toEqual([]);
    const other = answerFeatures({
      ...base,
      ask: 'Do you support a YubiKey?',
      answer: 'Scan the QR code with an authenticator app.',
    });
    expect(other.missing).toContain('yubikey');
    expect(other.features.coverage).toBe(0);
  });

  it('is more confident the more of the ask the answer covers, and explains itself', () => {
    const low = scoreAnswer(features({ coverage: 0.1 }), PRIOR_ANSWER_JUDGE).probability;
    const high = scoreAnswer(features({ coverage: 1 }), PRIOR_ANSWER_JUDGE).probability;
    expect(high).toBeGreaterThan(low);
    // Beside the other two-factor articles (a small gap), the enable steps do not answer a changed phone.
    const v = verifyAnswer(
      {
        ...base,
        gap: 0.1,
        title: 'Two-factor authentication',
        heading: 'Turn on two-factor authentication',
        ask: 'I changed phones and the code no longer works',
        answer: 'Go to Settings → Security and click Enable two-factor authentication.',
      },
      0.9,
    );
    expect(v.passed).toBe(false);
    expect(v.explanation).toMatch(/^Does not clearly answer the question: estimated \d+% likely/);
    expect(v.model).toBe('prior');
  });

  it("refits on a workspace's outcomes, staying at the prior without evidence", () => {
    expect(fitAnswerJudge([], PRIOR_ANSWER_JUDGE)).toEqual(PRIOR_ANSWER_JUDGE);
    // Here answers that held had a good title match and those that failed did not.
    const samples: AnswerSample[] = Array.from({ length: 200 }, (_, i) => ({
      features: features({ titleCoverage: i % 2 ? 1 : 0 }),
      success: i % 2 === 1,
    }));
    const fitted = fitAnswerJudge(samples, PRIOR_ANSWER_JUDGE);
    expect(fitted.weights.titleCoverage).toBeGreaterThan(PRIOR_ANSWER_JUDGE.weights.titleCoverage + 1);
    expect(scoreAnswer(features({ titleCoverage: 0 }), fitted).probability).toBeLessThan(
      scoreAnswer(features({ titleCoverage: 0 }), PRIOR_ANSWER_JUDGE).probability,
    );
  });

  it('reaches the minimum of the penalised log-loss: its gradient there is zero', () => {
    const rand = (() => {
      let x = 7;
      return () => ((x = (x * 16807) % 2147483647) - 1) / 2147483646;
    })();
    const samples: AnswerSample[] = Array.from({ length: 300 }, () => {
      const f = features({ coverage: rand(), semantic: rand(), gap: rand() * 3, intentConfidence: 0.5 + rand() / 2 });
      return { features: f, success: rand() < 0.3 + 0.5 * f.coverage };
    });
    const fitted = fitAnswerJudge(samples, PRIOR_ANSWER_JUDGE, { strength: 2 });
    const keys = ['bias', ...ANSWER_FEATURES] as const;
    const value = (m: AnswerJudgeWeights, k: (typeof keys)[number]) => (k === 'bias' ? m.bias : m.weights[k]);
    const grad = keys.map((k) => 2 * 2 * (value(fitted, k) - value(PRIOR_ANSWER_JUDGE, k)));
    for (const s of samples) {
      const err = scoreAnswer(s.features, fitted).probability - (s.success ? 1 : 0);
      keys.forEach((k, j) => (grad[j]! += err * (k === 'bias' ? 1 : s.features[k])));
    }
    // the weights are rounded to 3 decimals, so the gradient is zero up to that rounding
    for (const [j, g] of grad.entries()) expect(Math.abs(g), keys[j]).toBeLessThan(0.5);
    expect(fitted.weights.coverage).toBeGreaterThan(PRIOR_ANSWER_JUDGE.weights.coverage);
  });

  it('uses the weights stored on the workspace, else the prior', () => {
    expect(answerJudgeOf({}).source).toBe('prior');
    const stored = {
      ...PRIOR_ANSWER_JUDGE,
      bias: -1,
      samples: 40,
      successes: 30,
      fittedAt: '2026-12-01T00:00:00.000Z',
    };
    expect(answerJudgeOf({ answerJudge: stored })).toEqual({
      weights: { bias: -1, weights: PRIOR_ANSWER_JUDGE.weights },
      source: 'workspace',
    });
    expect(answerJudgeOf({ answerJudge: { bias: 'x' } }).source).toBe('prior');
  });

  it('judges the best article against the best other article, and its passages as one', () => {
    const prior = { weights: PRIOR_ANSWER_JUDGE, source: 'prior' as const };
    const reset: AnswerEvidence = {
      ask: 'How do I reset my password? I forgot it',
      title: 'Reset a forgotten password',
      answer: 'Click Forgot password on the sign-in page.',
      intentMatch: true,
      intentConfidence: 0.95,
      lexical: 1,
      score: 1,
      runnerUp: 0.9,
      semantic: 0.7,
      articleId: 'a1',
    };
    const change: AnswerEvidence = {
      ...reset,
      title: 'Change your password',
      answer: 'Open Settings and choose a new password.',
      lexical: 0.9,
      score: 0.9,
      runnerUp: 1,
      semantic: 0.5,
      articleId: 'a2',
    };
    const rivals = judgeCandidates([reset, change], 0.9, prior)!;
    expect(rivals.index).toBe(0);
    expect(rivals.gap).toBeLessThan(LONE_CANDIDATE_GAP);
    const oneArticle = judgeCandidates([reset, { ...change, articleId: 'a1' }], 0.9, prior)!;
    expect(oneArticle.gap).toBe(LONE_CANDIDATE_GAP);
    expect(oneArticle.verification.probability).toBeGreaterThan(rivals.verification.probability);
  });

  it('weighs the semantic similarity of ask and passage', () => {
    const close = scoreAnswer(features({ semantic: 0.8 }), PRIOR_ANSWER_JUDGE).probability;
    const far = scoreAnswer(features({ semantic: 0.1 }), PRIOR_ANSWER_JUDGE).probability;
    expect(close).toBeGreaterThan(far);
  });

  it("counts the customer's own billing facts as evidence that the reply answers", () => {
    const v = verifyAnswer(
      {
        ask: 'Why has our account been locked?',
        title: '',
        answer: 'Your account is past due: the payment of USD 49.00 failed on 2026-12-01.',
        facts: true,
        intentMatch: true,
        intentConfidence: 0.9,
      },
      0.9,
    );
    expect(v.features.facts).toBe(1);
    expect(v.passed).toBe(true);
    expect(v.explanation).toMatch(/billing facts/);
    expect(
      verifyAnswer(
        {
          ask: 'Why has our account been locked?',
          title: '',
          answer: 'Your account is past due.',
          intentMatch: true,
          intentConfidence: 0.9,
        },
        0.9,
      ).passed,
    ).toBe(false);
  });
});

describe('questions about what the product can do', () => {
  const evidence = (ask: string, answer: string): AnswerEvidence => ({
    ask,
    answer,
    title: 'Schedules',
    intentMatch: true,
    intentConfidence: 0.95,
  });

  it('tells a yes/no question about a capability from a request for steps', () => {
    expect(asksIfPossible('Can I rename a pipeline?')).toBe(true);
    expect(asksIfPossible('Is there a dbt integration?')).toBe(true);
    expect(asksIfPossible('Do you support hardware security keys?')).toBe(true);
    expect(asksIfPossible('How do I reset my password?')).toBe(false);
    expect(asksIfPossible('The reset link expired before I clicked it')).toBe(false);
    expect(asksIfPossible('Can you send me the invoice for May?')).toBe(false);
    expect(asksIfPossible('I no longer use my gold account, how can I close it?')).toBe(false);
    expect(asksIfPossible('under which circumstances can I request my money back?')).toBe(false);
    expect(asksIfPossible('Thanks for the help. Also, can I pay yearly?')).toBe(true);
  });

  it('counts what the passage leaves uncovered only for such questions', () => {
    const passage = 'Schedules run in the time zone of the workspace, set under Settings.';
    const asked = answerFeatures(evidence('Can I rename a pipeline?', passage)).features;
    expect(asked.capability).toBe(1);
    expect(asked.capabilityUncovered).toBeGreaterThan(0.5);
    const told = answerFeatures(evidence('Which time zone do schedules run in?', passage)).features;
    expect(told).toMatchObject({ capability: 0, capabilityUncovered: 0 });
  });

  it('asks only the capability clause to be covered, not the rest of the message', () => {
    const passage = 'To cancel an order, open Orders and click Cancel order.';
    const f = answerFeatures(evidence('I cannot afford this item, can I cancel order 00004587345?', passage)).features;
    expect(f).toMatchObject({ capability: 1, capabilityUncovered: 0 });
    expect(f.coverage).toBeLessThan(1);
  });

  it('scores a capability the passage does not speak of below one it does', () => {
    const passage = 'To rename a pipeline, open it and click its name.';
    const about = verifyAnswer(evidence('Can I rename a pipeline?', passage), 0.9);
    const other = verifyAnswer(evidence('Can I rename a pipeline?', 'Schedules run in the workspace time zone.'), 0.9);
    expect(about.probability).toBeGreaterThan(other.probability);
    expect(other.passed).toBe(false);
  });
});

describe('typing slips', () => {
  it('covers a misspelt word of the ask by the word it was meant to be', () => {
    const passage = 'Pay by bank transfer: choose Invoice as the payment method instead of card.';
    const slipped = answerFeatures({
      ask: 'can we pay by bank trnsfer instead of caard',
      answer: passage,
      title: 'Payment methods',
      intentMatch: true,
      intentConfidence: 0.9,
    });
    expect(slipped.missing).not.toContain('transfer');
    expect(slipped.features.coverage).toBe(1);
  });

  it('allows one slip in a short word and two in a long one, never in a word under four letters', () => {
    expect(isTypoOf('invooic', 'invoic')).toBe(true);
    expect(isTypoOf('trnsfer', 'transfer')).toBe(true);
    expect(isTypoOf('definitiions', 'definitions')).toBe(true);
    expect(isTypoOf('recieve', 'receive')).toBe(true);
    expect(isTypoOf('card', 'cart')).toBe(true);
    expect(isTypoOf('card', 'bard')).toBe(false);
    expect(isTypoOf('cat', 'car')).toBe(false);
    expect(isTypoOf('export', 'import')).toBe(false);
  });
});

describe('a guess the knowledge base contradicts', () => {
  const evidence = (intentConfidence: number, rivalSemantic: number): AnswerEvidence => ({
    ask: 'How do I cancel my order?',
    answer: 'To cancel an order, open Orders and click Cancel order.',
    title: 'Cancel an order',
    intentMatch: true,
    intentConfidence,
    lexical: 1,
    semantic: 0.6,
    rivalSemantic,
  });

  it("is not sent below the intent's threshold when another intent's article is closer in meaning", () => {
    const contested = verifyAnswer(evidence(0.7, 0.65), 0.9);
    expect(contested.features.rivalCloser).toBeCloseTo(0.05);
    expect(contested.passed).toBe(false);
    expect(contested.explanation).toContain("another intent's article is closer in meaning");
    expect(verifyAnswer(evidence(0.7, 0.55), 0.9).features.rivalCloser).toBe(0);
  });

  it('leaves a confident intent to the estimate alone', () => {
    const confident = verifyAnswer(evidence(0.97, 0.65), 0.9);
    expect(confident.passed).toBe(confident.probability >= 0.9);
    expect(confident.explanation).not.toContain("another intent's article");
  });
});

describe('an ask of several questions', () => {
  const evidence = (ask: string): AnswerEvidence => ({
    ask,
    answer: 'Open Runs, pick the runs and click Export → CSV. The file lists every run with its status.',
    title: 'Export run history',
    intentMatch: true,
    intentConfidence: 0.97,
    lexical: 1,
  });

  it('finds the questions of an ask that asks several, and none in a single question', () => {
    expect(questionsOf('How do I upgrade to Pro, and how can I export our run history to CSV?')).toEqual([
      'How do I upgrade to Pro',
      'how can I export our run history to CSV?',
    ]);
    expect(questionsOf("How long is the link good for? And what if the email doesn't show up?")).toHaveLength(2);
    expect(questionsOf('How do I export our run history to CSV?')).toEqual([]);
    expect(questionsOf('I cannot log in. Please help, and thanks!')).toEqual([]);
  });

  it('is not answered by a reply that does not touch one of its questions', () => {
    const v = verifyAnswer(evidence('How do I upgrade to the Pro plan, and how can I export our run history?'), 0.5);
    expect(v.unanswered).toBe('How do I upgrade to the Pro plan');
    expect(v.passed).toBe(false);
    expect(v.explanation).toContain('does not touch one of the questions');
  });

  it('is judged as usual when the reply touches every question', () => {
    const v = verifyAnswer(evidence('How do I export our run history? And can the CSV list each run status?'), 0.5);
    expect(v.unanswered).toBeNull();
    expect(v.passed).toBe(v.probability >= 0.5);
  });
});
