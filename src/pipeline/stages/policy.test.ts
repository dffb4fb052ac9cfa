import { describe, expect, it } from 'vitest';
import { AutonomySettingsSchema } from '../../domain/settings.js';
import { analyseSentiment } from '../../nlp/sentiment.js';
import { detectLanguage } from '../../nlp/language.js';
import { asksForHuman, decide, MIN_INTENT_CONFIDENCE, thresholdFor, type PolicyInput } from './policy.js';

const text = 'I forgot my password and cannot log in';
const base = (): PolicyInput => ({
  settings: AutonomySettingsSchema.parse({}),
  language: detectLanguage(text),
  intent: {
    intent: 'password_reset',
    confidence: 0.97,
    outOfScope: false,
    alternatives: [],
    multiIntent: null,
    explanation: { topTerms: [], neighbours: [] },
  } as never,
  sentiment: analyseSentiment(text),
  text,
  tier: 'pro',
  repeatContacts: 0,
  reopenCount: 0,
  aiReplies: 0,
  humanRequested: false,
  playbook: { kind: 'answer', mode: 'auto', threshold: null },
  retrievalScore: 0.8,
});

describe('decision policy', () => {
  it('resolves when every guardrail passes, and explains each', () => {
    const r = decide(base());
    expect(r.decision).toBe('resolve');
    expect(r.checks.every((c) => c.passed)).toBe(true);
    expect(r.checks.map((c) => c.check)).toContain('intent_confident');
  });

  const cases: [string, (i: PolicyInput) => PolicyInput][] = [
    [
      'language_supported',
      (i) => ({ ...i, language: detectLanguage('Hola, no puedo iniciar sesión en mi cuenta, ¿me pueden ayudar?') }),
    ],
    ['human_not_requested', (i) => ({ ...i, humanRequested: true })],
    ['in_scope', (i) => ({ ...i, intent: { ...i.intent!, outOfScope: true } })],
    ['intent_confident', (i) => ({ ...i, intent: { ...i.intent!, confidence: 0.4 } })],
    [
      'single_intent',
      (i) => ({
        ...i,
        intent: { ...i.intent!, multiIntent: { intents: ['password_reset', 'billing_refund'], parts: [] } },
      }),
    ],
    [
      'sentiment_ok',
      (i) => ({
        ...i,
        sentiment: analyseSentiment('This is the third time!!! Still broken, absolutely unacceptable and ridiculous'),
      }),
    ],
    ['tier_allowed', (i) => ({ ...i, tier: 'enterprise' })],
    ['no_sensitive_topic', (i) => ({ ...i, text: 'I think my account was hacked, I cannot log in' })],
    ['not_repeat_contact', (i) => ({ ...i, reopenCount: 1 })],
    ['ai_reply_budget', (i) => ({ ...i, aiReplies: 1 })],
    ['playbook_available', (i) => ({ ...i, playbook: { kind: 'handoff', mode: 'auto', threshold: null } })],
    ['retrieval_confident', (i) => ({ ...i, retrievalScore: 0.1 })],
  ];
  it.each(cases)('hands off when %s fails', (check, change) => {
    const r = decide(change(base()));
    expect(r.decision).toBe('hand_off');
    expect(r.reason).toBe(check);
    expect(r.checks.find((c) => c.check === check)?.passed).toBe(false);
  });

  it('leaves an answer playbook to the answer check above the floor, but not an action or a near-1 threshold', () => {
    const confident = (i: PolicyInput) => decide(i).checks.find((c) => c.check === 'intent_confident')!;
    const at = (confidence: number, i = base()) => ({ ...i, intent: { ...i.intent!, confidence } });
    expect(confident(at(0.7))).toMatchObject({ passed: true, threshold: MIN_INTENT_CONFIDENCE });
    expect(decide(at(0.7)).threshold).toBe(0.9);
    expect(confident(at(MIN_INTENT_CONFIDENCE - 0.01)).passed).toBe(false);
    const action = { ...base(), playbook: { kind: 'action' as const, mode: 'auto' as const, threshold: null } };
    expect(confident(at(0.7, action))).toMatchObject({ passed: false, threshold: 0.9 });
    const certain = { ...base(), playbook: { kind: 'answer' as const, mode: 'auto' as const, threshold: 0.999 } };
    expect(confident(at(0.995, certain))).toMatchObject({ passed: false, threshold: 0.999 });
    expect(confident(at(0.9995, certain)).passed).toBe(true);
  });

  it('leaves an out-of-scope guess with an answer playbook to the answer check, but only above the floor', () => {
    const outOfScope = (confidence: number, i = base()): PolicyInput => ({
      ...i,
      intent: { ...i.intent!, intent: null, topIntent: 'password_reset', outOfScope: true, confidence },
    });
    const check = (i: PolicyInput, name: string) => decide(i).checks.find((c) => c.check === name)!;
    expect(check(outOfScope(0.52), 'in_scope')).toMatchObject({ passed: true, value: 'password_reset' });
    expect(check(outOfScope(0.52), 'in_scope').detail).toContain('the answer check decides');
    expect(decide(outOfScope(0.52))).toMatchObject({ decision: 'resolve', threshold: 0.9 });
    expect(decide(outOfScope(MIN_INTENT_CONFIDENCE - 0.01)).reason).toBe('in_scope');
    // an action playbook, or a threshold the answer check may not stand in for, keeps the classifier's line
    const action = { ...base(), playbook: { kind: 'action' as const, mode: 'auto' as const, threshold: null } };
    expect(decide(outOfScope(0.52, action)).reason).toBe('in_scope');
    const certain = { ...base(), playbook: { kind: 'answer' as const, mode: 'auto' as const, threshold: 0.999 } };
    expect(decide(outOfScope(0.52, certain)).reason).toBe('in_scope');
    expect(decide({ ...outOfScope(0.52), playbook: null }).reason).toBe('in_scope');
  });

  it('drafts instead of sending in shadow mode', () => {
    expect(decide({ ...base(), playbook: { kind: 'answer', mode: 'shadow', threshold: null } }).decision).toBe('draft');
    expect(decide({ ...base(), settings: AutonomySettingsSchema.parse({ shadowMode: true }) }).reason).toBe(
      'shadow_mode',
    );
  });

  it('lets enterprise through when the workspace allows it', () => {
    expect(
      decide({ ...base(), tier: 'enterprise', settings: AutonomySettingsSchema.parse({ handoffTiers: [] }) }).decision,
    ).toBe('resolve');
  });

  it('takes the threshold from the playbook, then the intent, then the default', () => {
    const s = AutonomySettingsSchema.parse({ defaultThreshold: 0.9, intentThresholds: { password_reset: 0.8 } });
    expect(thresholdFor(s, 'password_reset', 0.7)).toBe(0.7);
    expect(thresholdFor(s, 'password_reset', null)).toBe(0.8);
    expect(thresholdFor(s, 'billing_refund', null)).toBe(0.9);
  });

  it('recognises requests for a human', () => {
    for (const t of [
      'Can I talk to a human please?',
      'I want to speak with a real person',
      'get me a live agent',
      'human please',
      'contact agent',
      'speaking to an operator',
      'how can I contact a customer service representative',
    ])
      expect(asksForHuman(t), t).toBe(true);
    for (const t of [
      'How do I add a human-readable name to my pipeline?',
      'my agent config is broken',
      'how do I contact support about billing',
    ])
      expect(asksForHuman(t), t).toBe(false);
  });
});
