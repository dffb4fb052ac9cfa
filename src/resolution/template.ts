/**
 * Reply templates and action input mappings: `{{customer.firstName}}`, `{{account.plan}}`,
 * `{{billing.failedInvoice.url}}`, `{{page.feature}}`, `{{action.result.refund.id}}`, `{{answer}}`, each with a safe
 * fallback, or an explicit one:
 * `{{account.plan | current}}`. Templates are checked when a playbook is saved.
 */
import type { FieldIssue } from '../domain/errors.js';
import type { ReplyContext } from './schemas.js';

/** Where a template is used; it decides which placeholders are known. */
export type TemplateScope = 'answer' | 'actionSuccess' | 'actionFailure' | 'actionInput' | 'handoff';

type Field = { get: (c: ReplyContext) => unknown; fallback: string };

const FIELDS: Record<string, Field> = {
  'customer.name': { get: (c) => c.customer?.name, fallback: 'there' },
  'customer.firstName': { get: (c) => firstName(c.customer?.name), fallback: 'there' },
  'customer.email': { get: (c) => c.customer?.email, fallback: '' },
  'customer.id': { get: (c) => c.customer?.id, fallback: '' },
  'customer.externalId': { get: (c) => c.customer?.externalId, fallback: '' },
  'account.name': { get: (c) => c.account?.name, fallback: 'your company' },
  'account.plan': { get: (c) => c.account?.plan, fallback: 'current' },
  'account.tier': { get: (c) => c.account?.tier, fallback: 'current' },
  'account.billingState': { get: (c) => c.account?.billingState, fallback: 'unknown' },
  'account.id': { get: (c) => c.account?.id, fallback: '' },
  'account.externalId': { get: (c) => c.account?.externalId, fallback: '' },
  'account.seats': { get: (c) => c.facts?.seats, fallback: '' },
  'billing.state': { get: (c) => c.facts?.billingState ?? c.account?.billingState, fallback: 'unknown' },
  'billing.failedInvoice.id': { get: (c) => c.facts?.failedPayment?.invoiceId, fallback: '' },
  'billing.failedInvoice.amount': { get: (c) => c.facts?.failedPayment?.amount, fallback: '' },
  'billing.failedInvoice.date': { get: (c) => c.facts?.failedPayment?.on, fallback: '' },
  'billing.failedInvoice.url': { get: (c) => c.facts?.failedPayment?.payUrl, fallback: '' },
  'billing.failedInvoice.reason': { get: (c) => c.facts?.failedPayment?.reason, fallback: '' },
  'billing.trialEnd': { get: (c) => c.facts?.trialEnd, fallback: '' },
  'billing.renewalDate': { get: (c) => c.facts?.renewalDate, fallback: '' },
  'page.url': { get: (c) => c.facts?.page?.url, fallback: '' },
  'page.feature': { get: (c) => c.facts?.page?.featureId ?? c.facts?.page?.route, fallback: 'this page' },
  'page.recentError': { get: (c) => c.facts?.recentErrors[0], fallback: '' },
  'ticket.id': { get: (c) => c.ticket?.id, fallback: '' },
  'ticket.subject': { get: (c) => c.ticket?.subject, fallback: 'your request' },
};

const ANSWER = 'answer';
const ACTION_RESULT = 'action.result';
const PLACEHOLDER_RE = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;
const WHOLE_RE = new RegExp(`^${PLACEHOLDER_RE.source}$`);
const PATH_RE = /^[A-Za-z_][\w]*(?:\.[\w-]+)*$/;

/** The placeholder paths a template uses, in order (`{{ account.plan | x }}` → `account.plan`). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!);
}

/** The placeholders a scope knows, for error messages and docs. */
export function knownPlaceholders(scope: TemplateScope): string[] {
  const base = Object.keys(FIELDS);
  if (scope === 'answer') return [...base, ANSWER];
  if (scope === 'actionSuccess') return [...base, `${ACTION_RESULT}.<path>`];
  return base;
}

function isKnown(path: string, scope: TemplateScope): boolean {
  if (Object.hasOwn(FIELDS, path)) return true;
  if (path === ANSWER) return scope === 'answer';
  if (path.startsWith(`${ACTION_RESULT}.`)) return scope === 'actionSuccess';
  return false;
}

/** Problems of a template in a scope (unknown placeholders, unbalanced braces); empty when it is fine. */
export function templateProblems(template: string, scope: TemplateScope): string[] {
  const problems: string[] = [];
  for (const path of placeholdersOf(template)) {
    if (!PATH_RE.test(path) || !isKnown(path, scope)) {
      problems.push(
        `unknown placeholder {{${path}}}; known: ${knownPlaceholders(scope)
          .map((p) => `{{${p}}}`)
          .join(', ')}`,
      );
    }
  }
  const rest = template.replace(PLACEHOLDER_RE, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('unbalanced braces: write placeholders as {{name}}');
  return problems;
}

/** Checks a template and returns field issues under `path`. */
export function checkTemplate(template: string, scope: TemplateScope, path: string): FieldIssue[] {
  return templateProblems(template, scope).map((message) => ({ path, message }));
}

/** Checks every string of an action input mapping (recursively) against the `actionInput` scope. */
export function checkInputMapping(mapping: unknown, path: string): FieldIssue[] {
  if (typeof mapping === 'string') return checkTemplate(mapping, 'actionInput', path);
  if (Array.isArray(mapping)) return mapping.flatMap((v, i) => checkInputMapping(v, `${path}.${i}`));
  if (mapping && typeof mapping === 'object')
    return Object.entries(mapping).flatMap(([k, v]) => checkInputMapping(v, `${path}.${k}`));
  return [];
}

/** The first name of a full name ("jane doe" → "Jane"); undefined for empty names or e-mail addresses. */
export function firstName(name: string | null | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  if (!first || first.includes('@')) return undefined;
  return first.charAt(0).toUpperCase() + first.slice(1);
}

/** Extra values a template may use. */
export interface TemplateValues {
  answer?: string | undefined;
  actionResult?: unknown;
}

/** A value at a dotted path of a JSON value (`refund.id`, `items.0.name`). */
export function valueAt(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function lookup(path: string, context: ReplyContext, values: TemplateValues): unknown {
  if (path === ANSWER) return values.answer;
  if (path.startsWith(`${ACTION_RESULT}.`)) return valueAt(values.actionResult, path.slice(ACTION_RESULT.length + 1));
  return Object.hasOwn(FIELDS, path) ? FIELDS[path]!.get(context) : undefined;
}

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
const asText = (v: unknown) =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

/** Fills a template in one pass (inserted values are never expanded again); missing values take their fallback. */
export function renderTemplate(
  template: string,
  context: ReplyContext,
  values: TemplateValues = {},
  opts: { fallbacks?: boolean } = {},
): string {
  return template.replace(PLACEHOLDER_RE, (_m, path: string, explicit: string | undefined) => {
    const v = lookup(path, context, values);
    if (present(v)) return asText(v);
    return explicit ?? (opts.fallbacks === false || !Object.hasOwn(FIELDS, path) ? '' : FIELDS[path]!.fallback);
  });
}

/**
 * Builds an action's request body from its mapping: a string that is exactly one placeholder keeps the
 * value's type and is left out when missing (so the input schema can refuse it); other strings are filled in.
 */
export function renderInput(mapping: unknown, context: ReplyContext): unknown {
  if (typeof mapping === 'string') {
    const whole = WHOLE_RE.exec(mapping.trim());
    if (whole) {
      const v = lookup(whole[1]!, context, {});
      return present(v) ? v : (whole[2] ?? undefined);
    }
    return renderTemplate(mapping, context, {}, { fallbacks: false });
  }
  if (Array.isArray(mapping)) return mapping.map((v) => renderInput(v, context)).filter((v) => v !== undefined);
  if (mapping && typeof mapping === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(mapping)) {
      const r = renderInput(v, context);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return mapping;
}
