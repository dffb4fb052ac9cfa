import { describe, expect, it } from 'vitest';
import { IntentReadingSchema } from '../../domain/stage-results.js';
import { latestResult } from './decisions.js';

const decide = (decision: string) => ({
  decision,
  reason: 'all checks passed',
  failed: [],
  threshold: 0.8,
  checks: [{ check: 'intent_confident', passed: true, detail: '0.9 ≥ 0.8', value: 0.9, threshold: 0.8 }],
  playbook: null,
});

describe('latestResult', () => {
  it('returns the latest successful record of the stage, parsed by its schema', () => {
    const records = [
      { stage: 'decide', ok: true, result: decide('draft') },
      { stage: 'decide', ok: true, result: decide('resolve') },
      { stage: 'decide', ok: false, result: { error: 'boom' } },
      { stage: 'resolve', ok: true, result: { skipped: 'handed off' } },
    ];
    expect(latestResult(records, 'decide')?.decision).toBe('resolve');
    expect(latestResult(records, 'resolve')).toEqual({ skipped: 'handed off' });
    expect(latestResult(records, 'route')).toBeUndefined();
  });

  it('skips a stored result its schema does not accept (an older shape), never failing on it', () => {
    const records = [
      { stage: 'decide', ok: true, result: decide('draft') },
      { stage: 'decide', ok: true, result: { decision: 'resolve', confidence: 0.9 } },
    ];
    expect(latestResult(records, 'decide')?.decision).toBe('draft');
    expect(latestResult(records.slice(1), 'decide')).toBeUndefined();
  });

  it('reads a reading recorded before it said why with an empty detail', () => {
    expect(IntentReadingSchema.parse({ by: 'words', encoder: null })).toEqual({
      by: 'words',
      encoder: null,
      detail: '',
    });
  });
});
