/**
 * Playbooks: what the assistant does for an intent. One per intent and workspace; saved by upsert.
 * Templates, input mappings and the action's JSON Schema are checked when a playbook is saved.
 */
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { DeskmindError, notFound, type FieldIssue } from '../domain/errors.js';
import type { OutboundGuard } from '../security/outbound-url.js';
import type { Ctx } from '../store/ctx.js';
import { playbooks } from '../store/schema.js';
import { schemaProblem } from './actions.js';
import {
  PlaybookActionSchema,
  PlaybookInputSchema,
  type Playbook,
  type PlaybookInput,
  type PlaybookInputParsed,
} from './schemas.js';
import { checkInputMapping, checkTemplate, placeholdersOf } from './template.js';
import { cachedConfig } from '../store/config-cache.js';

const scope = (ctx: Ctx, intent: string) =>
  and(eq(playbooks.workspaceId, ctx.workspaceId), eq(playbooks.intent, intent));

function toPlaybook(row: typeof playbooks.$inferSelect): Playbook {
  const { workspaceId: _w, action, ...rest } = row;
  return { ...rest, action: action ? PlaybookActionSchema.parse(action) : null };
}

/** The playbook parsed, with every problem (kind and action agreeing, templates, input mapping, JSON Schema). */
export function checkPlaybook(input: PlaybookInput): { playbook: PlaybookInputParsed | null; issues: FieldIssue[] } {
  const parsed = PlaybookInputSchema.safeParse(input);
  if (!parsed.success)
    return { playbook: null, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  const p = parsed.data;
  const issues: FieldIssue[] = [];
  if (p.kind === 'action' && !p.action) issues.push({ path: 'action', message: 'an action playbook needs an action' });
  if (p.kind !== 'action' && p.action) issues.push({ path: 'action', message: `a ${p.kind} playbook has no action` });
  if (p.template) {
    if (p.kind === 'action')
      issues.push({
        path: 'template',
        message: 'an action playbook replies with action.successTemplate and action.failureTemplate',
      });
    else issues.push(...checkTemplate(p.template, p.kind === 'answer' ? 'answer' : 'handoff', 'template'));
    if (p.kind === 'answer' && !placeholdersOf(p.template).includes('answer'))
      issues.push({ path: 'template', message: 'an answer template must contain {{answer}}' });
  }
  if (p.action) {
    issues.push(...checkTemplate(p.action.successTemplate, 'actionSuccess', 'action.successTemplate'));
    issues.push(...checkTemplate(p.action.failureTemplate, 'actionFailure', 'action.failureTemplate'));
    issues.push(...checkInputMapping(p.action.input, 'action.input'));
    const problem = schemaProblem(p.action.inputSchema);
    if (problem) issues.push({ path: 'action.inputSchema', message: `not a valid JSON Schema: ${problem}` });
  }
  return { playbook: p, issues };
}

/** The workspace's playbooks, by intent. */
export async function listPlaybooks(ctx: Ctx): Promise<Playbook[]> {
  const rows = await ctx.db
    .select()
    .from(playbooks)
    .where(eq(playbooks.workspaceId, ctx.workspaceId))
    .orderBy(asc(playbooks.intent));
  return rows.map(toPlaybook);
}

/** The playbook of an intent, or null. */
export function findPlaybook(ctx: Ctx, intent: string): Promise<Playbook | null> {
  return cachedConfig(ctx.db, ctx.workspaceId, `playbook:${intent}`, async () => {
    const [row] = await ctx.db.select().from(playbooks).where(scope(ctx, intent));
    return row ? toPlaybook(row) : null;
  });
}

/** The playbook of an intent; `not_found` when there is none. */
export async function getPlaybook(ctx: Ctx, intent: string): Promise<Playbook> {
  const playbook = await findPlaybook(ctx, intent);
  if (!playbook) throw notFound('Playbook for intent', intent);
  return playbook;
}

/**
 * Creates or replaces the playbook of an intent (fields left out take their defaults); an action's URL must
 * pass the outbound URL guard (`outbound_url_refused`).
 * @example await upsertPlaybook(ctx, 'refund_request', { kind: 'handoff' }, desk.outbound)
 */
export async function upsertPlaybook(
  ctx: Ctx,
  intent: string,
  input: PlaybookInput,
  guard: Pick<OutboundGuard, 'assertAllowed'>,
): Promise<{ playbook: Playbook; created: boolean }> {
  const { playbook: p, issues } = checkPlaybook(input);
  if (!p || issues.length)
    throw new DeskmindError('validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  if (p.action) guard.assertAllowed(p.action.url, 'action.url');
  const values = {
    mode: p.mode,
    kind: p.kind,
    template: p.template ?? null,
    action: p.action ?? null,
    threshold: p.threshold ?? null,
    ...(p.skills ? { skills: p.skills } : {}),
  };
  const [row] = await ctx.db
    .insert(playbooks)
    .values({ ...values, workspaceId: ctx.workspaceId, intent })
    .onConflictDoUpdate({ target: [playbooks.workspaceId, playbooks.intent], set: { ...values, updatedAt: ctx.now() } })
    .returning({ ...getTableColumns(playbooks), inserted: sql<boolean>`(xmax = 0)` });
  const { inserted, ...rest } = row!;
  return { playbook: toPlaybook(rest), created: inserted };
}

/** Deletes the playbook of an intent; `not_found` when there is none. */
export async function deletePlaybook(ctx: Ctx, intent: string): Promise<void> {
  const rows = await ctx.db.delete(playbooks).where(scope(ctx, intent)).returning({ id: playbooks.id });
  if (rows.length === 0) throw notFound('Playbook for intent', intent);
}
