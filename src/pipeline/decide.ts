import type { IntentPrediction } from '../nlp/intent/index.js';
import type { LanguageResult } from '../nlp/language.js';
import type { Stage } from './types.js';

/** The confidence an intent needs before the assistant may act on it alone (tuned per intent by learning later). */
export const DEFAULT_AUTONOMY_THRESHOLD = 0.9;

/**
 * Decide: the policy that chooses between resolving on the spot and handing to a human, with its reasons.
 * Until a playbook can answer an intent, every ticket is handed to a human with what was understood.
 */
export const decideStage: Stage = {
  name: 'decide',
  async run(_input, earlier) {
    const understood = earlier.understand?.result as { language?: LanguageResult; intent?: IntentPrediction | null } | undefined;
    const checks: { check: string; passed: boolean; detail: string }[] = [];
    const language = understood?.language;
    checks.push({
      check: 'language_supported',
      passed: language?.supported ?? false,
      detail: language ? `${language.language} (confidence ${language.confidence.toFixed(2)})` : 'not detected',
    });
    const intent = understood?.intent ?? null;
    checks.push({
      check: 'intent_confident',
      passed: !!intent?.intent && intent.confidence >= DEFAULT_AUTONOMY_THRESHOLD,
      detail: intent?.intent
        ? `${intent.intent} at ${intent.confidence.toFixed(3)} against threshold ${DEFAULT_AUTONOMY_THRESHOLD}`
        : 'no intent predicted',
    });
    checks.push({ check: 'playbook_available', passed: false, detail: 'no playbook can resolve this intent on its own' });
    const failed = checks.find((c) => !c.passed)!;
    return {
      result: { decision: 'hand_off', reason: failed.check, threshold: DEFAULT_AUTONOMY_THRESHOLD, checks },
      actions: [{ type: 'hand_off', reason: failed.check, detail: failed.detail }],
    };
  },
};
