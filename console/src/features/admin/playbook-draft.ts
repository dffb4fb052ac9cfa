/** A playbook as its form holds it (text fields), to and from the API's shape. */
import type { PlaybookKind, PlaybookMode } from '../../../../src/resolution/schemas.js';
import type { FieldIssue } from '../../../../src/domain/errors.js';
import { listOf } from '../../lib/fields.js';
import type { Playbook, PlaybookInput } from '../../lib/types.js';

export interface PlaybookDraft {
  intent: string;
  kind: PlaybookKind;
  mode: PlaybookMode;
  /** Empty: the workspace's default threshold. */
  threshold: string;
  template: string;
  skills: string;
  url: string;
  timeoutMs: string;
  successTemplate: string;
  failureTemplate: string;
  /** JSON texts: a JSON Schema and the request body with placeholders. */
  inputSchema: string;
  input: string;
}

export const blankPlaybook = (intent: string): PlaybookDraft => ({
  intent,
  kind: 'answer',
  mode: 'shadow',
  threshold: '',
  template: '',
  skills: '',
  url: '',
  timeoutMs: '5000',
  successTemplate: '',
  failureTemplate: '',
  inputSchema: '{ "type": "object" }',
  input: '{}',
});

export function playbookDraftOf(p: Playbook): PlaybookDraft {
  const a = p.action;
  return {
    intent: p.intent,
    kind: p.kind,
    mode: p.mode,
    threshold: p.threshold == null ? '' : String(p.threshold),
    template: p.template ?? '',
    skills: p.skills.join(', '),
    url: a?.url ?? '',
    timeoutMs: String(a?.timeoutMs ?? 5000),
    successTemplate: a?.successTemplate ?? '',
    failureTemplate: a?.failureTemplate ?? '',
    inputSchema: a ? JSON.stringify(a.inputSchema, null, 2) : blankPlaybook('').inputSchema,
    input: a ? JSON.stringify(a.input ?? {}, null, 2) : '{}',
  };
}

function parseObject(text: string, path: string, issues: FieldIssue[]): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    issues.push({ path, message: 'must be a JSON object ({ … })' });
  } catch (err) {
    issues.push({ path, message: `not valid JSON: ${(err as Error).message}` });
  }
  return {};
}

/**
 * The body the API takes: the template only for answer and handoff playbooks, the action only for action
 * playbooks. The two JSON fields are parsed here; what they cannot parse comes back as field issues.
 */
export function playbookInputOf(d: PlaybookDraft): { input: PlaybookInput; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const action =
    d.kind === 'action'
      ? {
          url: d.url.trim(),
          inputSchema: parseObject(d.inputSchema, 'action.inputSchema', issues),
          input: parseObject(d.input, 'action.input', issues),
          timeoutMs: Number(d.timeoutMs),
          successTemplate: d.successTemplate,
          failureTemplate: d.failureTemplate,
        }
      : null;
  return {
    input: {
      kind: d.kind,
      mode: d.mode,
      template: d.kind === 'action' || !d.template.trim() ? null : d.template,
      action,
      threshold: d.threshold.trim() === '' ? null : Number(d.threshold),
      skills: listOf(d.skills),
    },
    issues,
  };
}
