/** A routing rule as its form holds it (text and checkboxes), to and from the API's shape. */
import { CHANNELS, PRIORITIES, type Channel, type Priority } from '../../../../src/domain/enums.js';
import type { IntentLabel } from '../../../../src/domain/explain.js';
import { listOf } from '../../lib/fields.js';
import type { RoutingConditions, RoutingRule, RoutingRuleInput } from '../../lib/types.js';

export type EqualsKind = 'text' | 'number' | 'boolean';

export interface RuleDraft {
  name: string;
  enabled: boolean;
  intent: string[];
  /** Comma-separated lists, as typed. */
  tier: string;
  language: string;
  priority: Priority[];
  channel: Channel[];
  tag: string;
  featureId: string;
  pagePrefix: string;
  attributeKey: string;
  attributeEquals: string;
  attributeKind: EqualsKind;
  teamId: string;
  requiredSkills: string;
  preferAccountOwner: boolean;
}

export const blankRule = (): RuleDraft => ({
  name: '',
  enabled: true,
  intent: [],
  tier: '',
  language: '',
  priority: [],
  channel: [],
  tag: '',
  featureId: '',
  pagePrefix: '',
  attributeKey: '',
  attributeEquals: '',
  attributeKind: 'text',
  teamId: '',
  requiredSkills: '',
  preferAccountOwner: false,
});

export function draftOf(rule: RoutingRule): RuleDraft {
  const c = rule.conditions;
  const equals = c.accountAttribute?.equals;
  return {
    name: rule.name,
    enabled: rule.enabled,
    intent: c.intent ?? [],
    tier: (c.tier ?? []).join(', '),
    language: (c.language ?? []).join(', '),
    priority: c.priority ?? [],
    channel: c.channel ?? [],
    tag: c.tag ?? '',
    featureId: c.featureId ?? '',
    pagePrefix: c.pagePrefix ?? '',
    attributeKey: c.accountAttribute?.key ?? '',
    attributeEquals: equals === undefined ? '' : String(equals),
    attributeKind: typeof equals === 'number' ? 'number' : typeof equals === 'boolean' ? 'boolean' : 'text',
    teamId: rule.teamId ?? '',
    requiredSkills: rule.requiredSkills.join(', '),
    preferAccountOwner: rule.preferAccountOwner,
  };
}

const equalsOf = (d: RuleDraft): string | number | boolean =>
  d.attributeKind === 'number'
    ? Number(d.attributeEquals)
    : d.attributeKind === 'boolean'
      ? d.attributeEquals === 'true'
      : d.attributeEquals;

/** The body the API takes: empty conditions are left out (an empty object matches every ticket). */
export function inputOf(d: RuleDraft): RoutingRuleInput {
  const conditions: RoutingConditions = {};
  const lists = { tier: listOf(d.tier), language: listOf(d.language) };
  if (d.intent.length) conditions.intent = d.intent;
  if (lists.tier.length) conditions.tier = lists.tier;
  if (lists.language.length) conditions.language = lists.language;
  if (d.priority.length) conditions.priority = PRIORITIES.filter((p) => d.priority.includes(p));
  if (d.channel.length) conditions.channel = CHANNELS.filter((c) => d.channel.includes(c));
  if (d.tag.trim()) conditions.tag = d.tag.trim();
  if (d.featureId.trim()) conditions.featureId = d.featureId.trim();
  if (d.pagePrefix.trim()) conditions.pagePrefix = d.pagePrefix.trim();
  if (d.attributeKey.trim()) conditions.accountAttribute = { key: d.attributeKey.trim(), equals: equalsOf(d) };
  return {
    name: d.name,
    enabled: d.enabled,
    conditions,
    teamId: d.teamId || null,
    requiredSkills: listOf(d.requiredSkills),
    preferAccountOwner: d.preferAccountOwner,
  };
}

const either = (xs: readonly string[]) =>
  xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}` : (xs[0] ?? '');

/** The conditions in words: "intent is Refund request or Billing question; tier is enterprise". */
export function describeConditions(c: RoutingConditions, label: IntentLabel): string {
  const parts = [
    c.intent && `intent is ${either(c.intent.map(label))}`,
    c.tier && `tier is ${either(c.tier)}`,
    c.language && `language is ${either(c.language)}`,
    c.priority && `priority is ${either(c.priority)}`,
    c.channel && `channel is ${either(c.channel)}`,
    c.tag && `tagged ${c.tag}`,
    c.featureId && `feature starts with ${c.featureId}`,
    c.pagePrefix && `page starts with ${c.pagePrefix}`,
    c.accountAttribute && `account ${c.accountAttribute.key} is ${String(c.accountAttribute.equals)}`,
  ].filter((p): p is string => !!p);
  return parts.length ? parts.join('; ') : 'every ticket';
}
