import { describe, expect, it } from 'vitest';
import { humanize } from '../../../../src/domain/explain.js';
import { PlaybookInputSchema } from '../../../../src/resolution/schemas.js';
import { RoutingRuleInputSchema } from '../../../../src/routing/schemas.js';
import { FormIssues } from '../../lib/fields.js';
import type { RoutingRule } from '../../lib/types.js';
import { blankPlaybook, playbookInputOf } from './playbook-draft.js';
import { blankRule, describeConditions, draftOf, inputOf } from './rule-draft.js';

const rule: RoutingRule = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Enterprise refunds',
  position: 2,
  enabled: false,
  conditions: {
    intent: ['billing_refund'],
    tier: ['enterprise', 'pro'],
    priority: ['high', 'urgent'],
    channel: ['email'],
    tag: 'vip',
    accountAttribute: { key: 'seats', equals: 100 },
  },
  teamId: '00000000-0000-4000-8000-000000000002',
  requiredSkills: ['billing'],
  preferAccountOwner: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('routing rule form draft', () => {
  it('sends what the rule holds, back unchanged, in a shape the server accepts', () => {
    const input = inputOf(draftOf(rule));
    expect(input).toEqual({
      name: rule.name,
      enabled: false,
      conditions: rule.conditions,
      teamId: rule.teamId,
      requiredSkills: ['billing'],
      preferAccountOwner: true,
    });
    expect(RoutingRuleInputSchema.safeParse(input).success).toBe(true);
  });

  it('leaves empty conditions out, so an empty form matches every ticket', () => {
    const input = inputOf({
      ...blankRule(),
      name: 'Catch-all',
      priority: ['urgent', 'low'],
      attributeKey: 'beta',
      attributeEquals: 'true',
      attributeKind: 'boolean',
    });
    expect(input.conditions).toEqual({ priority: ['low', 'urgent'], accountAttribute: { key: 'beta', equals: true } });
    expect(inputOf(blankRule()).conditions).toEqual({});
  });

  it('reads conditions as words', () => {
    expect(describeConditions(rule.conditions, humanize)).toBe(
      'intent is Billing refund; tier is enterprise or pro; priority is high or urgent; channel is email; tagged ' +
        'vip; account seats is 100',
    );
    expect(describeConditions({}, humanize)).toBe('every ticket');
  });
});

describe('playbook form draft', () => {
  it('sends a template only for answer and handoff playbooks, an action only for action playbooks', () => {
    const answer = playbookInputOf({
      ...blankPlaybook('how_to'),
      template: 'Hi! {{answer}}',
      threshold: '0.8',
      skills: 'docs, api',
    });
    expect(answer).toEqual({
      input: {
        kind: 'answer',
        mode: 'shadow',
        template: 'Hi! {{answer}}',
        action: null,
        threshold: 0.8,
        skills: ['docs', 'api'],
      },
      issues: [],
    });
    const action = playbookInputOf({
      ...blankPlaybook('billing_refund'),
      kind: 'action',
      template: 'ignored',
      url: 'https://backend.example/refunds',
      input: '{ "email": "{{customer.email}}" }',
      successTemplate: 'Done.',
      failureTemplate: 'Not done.',
    });
    expect(action.issues).toEqual([]);
    expect(action.input.template).toBeNull();
    expect(PlaybookInputSchema.parse(action.input).action).toMatchObject({
      url: 'https://backend.example/refunds',
      input: { email: '{{customer.email}}' },
      timeoutMs: 5000,
    });
  });

  it('names the field whose JSON does not parse', () => {
    const { issues } = playbookInputOf({
      ...blankPlaybook('x'),
      kind: 'action',
      inputSchema: '{ type: object',
      input: '[1]',
    });
    expect(issues.map((i) => i.path)).toEqual(['action.inputSchema', 'action.input']);
  });
});

describe('form issues', () => {
  it('gives each field the issues of its parts, and the form a line for the rest', () => {
    const issues = new FormIssues(
      [
        { path: 'requiredSkills.1', message: 'letters only' },
        { path: 'position', message: 'too big' },
      ],
      'detail',
    );
    expect(issues.messageFor('requiredSkills')).toBe('letters only');
    expect(issues.messageFor('requiredSkills', true)).toBeNull();
    expect(issues.summary(['requiredSkills'])).toBe('Not saved: position: too big');
    expect(issues.summary(['requiredSkills', 'position'])).toBe('Not saved: correct the fields marked below.');
    expect(FormIssues.none.summary([])).toBe('');
  });
});
