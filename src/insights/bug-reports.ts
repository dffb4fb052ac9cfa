/**
 * Bug reports: tickets understood as bug reports are grouped — same error message, else same feature or
 * page, else similar text — and each group becomes one structured report, sent to the workspace's bug
 * tracker. A group that grows updates the same engineering issue (new description and a comment); when
 * the issue is closed there, the linked tickets get a reply and are resolved.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { Timestamp } from '../domain/schemas.js';
import { DeskmindError, notFound } from '../domain/errors.js';
import type { Embedder } from '../knowledge/embedders.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { addMessage } from '../tickets/add-message.js';
import { updateTicket } from '../tickets/update-ticket.js';
import { getWorkspace } from '../people/get-workspace.js';
import { accounts, bugReports, customers } from '../store/schema.js';
import { assignIncrementally, clusterFrom, keyPhrases } from './clustering.js';
import { loadTicketFacts, ticketTexts, type TicketFact } from './data.js';
import { getInsightsSettings } from './settings.js';
import { trackerFor, type TrackerKind } from '../connectors/registry.js';
import type { BugTracker, TrackerOutbound, TrackerReport } from '../connectors/trackers.js';

const DAY = 86_400_000;
/** Cosine a bug ticket without error or page needs to join a report by its text. */
const TEXT_SIMILARITY = 0.8;

export const BugReportContentSchema = z.object({
  title: z.string(),
  summary: z.string(),
  stepsToReproduce: z.array(z.string()),
  expected: z.string(),
  actual: z.string(),
  errorMessages: z.array(z.string()),
  environment: z.object({
    appVersions: z.array(z.string()),
    pages: z.array(z.string()),
    features: z.array(z.string()),
  }),
  affected: z.object({
    customers: z.array(
      z.object({
        id: z.string(),
        name: z.string().nullable(),
        email: z.string().nullable(),
        accountId: z.string().nullable(),
      }),
    ),
    accounts: z.array(z.object({ id: z.string(), name: z.string(), tier: z.string(), mrr: z.number() })),
    mrrAtRisk: z.number(),
  }),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  frequency: z.object({ tickets: z.number(), perDay: z.number() }),
  linkedTickets: z.array(z.object({ id: z.string(), subject: z.string(), status: z.string(), createdAt: z.string() })),
});
export type BugReportContent = z.infer<typeof BugReportContentSchema>;

export const BugReportSchema = z.object({
  id: z.uuid(),
  fingerprint: z.string(),
  title: z.string(),
  status: z.enum(['open', 'closed']),
  report: BugReportContentSchema,
  tracker: z.string().nullable(),
  externalId: z.string().nullable(),
  externalKey: z.string().nullable(),
  externalUrl: z.string().nullable(),
  sentTicketCount: z.number(),
  lastSentAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  closedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type BugReport = z.infer<typeof BugReportSchema>;

function toBugReport(row: typeof bugReports.$inferSelect): BugReport {
  const { workspaceId: _w, ticketIds: _t, centroid: _c, report, ...rest } = row;
  return { ...rest, report: report as BugReportContent };
}

const STEP_RE = new RegExp(
  String.raw`\b(when i|when we|after (?:i|we)|i click|we click|clicked|click(?:ing)? on|open(?:ed|ing)? ` +
    String.raw`the|go(?:ing)? to|went to|navigat\w+ to|tr(?:y|ied) to|select(?:ed|ing)?|upload(?:ed|ing)?|` +
    String.raw`press(?:ed|ing)?|submit(?:ted|ting)?|log(?:ged)? in)\b`,
  'i',
);
const EXPECTED_RE = /\b(expect(?:ed|ing)?|should|supposed to|used to)\b/i;
const ACTUAL_RE = new RegExp(
  String.raw`\b(error|fails?|failed|failing|crash\w*|broken|blank|freez\w*|hangs?|doesn'?t|does not|won'?t|` +
    String.raw`will not|not working|stuck|wrong|missing|empty|500|404)\b`,
  'i',
);

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 8 && s.length <= 300);
}

const uniq = <T>(xs: T[]) => [...new Set(xs)];

/** The structured report of a group of tickets. Pure. */
export function buildReport(
  facts: readonly TicketFact[],
  texts: ReadonlyMap<string, string>,
  people: { customers: BugReportContent['affected']['customers']; accounts: BugReportContent['affected']['accounts'] },
  grouping: { kind: 'error' | 'feature' | 'text'; value: string },
): BugReportContent {
  const sorted = [...facts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const allSentences = sorted.flatMap((f) => sentences(texts.get(f.id) ?? f.subject));
  const errors = uniq(sorted.flatMap((f) => f.errors)).slice(0, 5);
  const features = uniq(sorted.map((f) => f.feature).filter((x): x is string => !!x));
  const pages = uniq(sorted.map((f) => f.route ?? f.url).filter((x): x is string => !!x)).slice(0, 5);
  const versions = uniq(sorted.map((f) => f.appVersion).filter((x): x is string => !!x)).sort();
  const phrases = keyPhrases([sorted.map((f) => texts.get(f.id) ?? f.subject)], 3)[0]!;
  const where = features[0] ?? pages[0] ?? null;
  const title =
    grouping.kind === 'error'
      ? `Error "${grouping.value.slice(0, 120)}"${where ? ` in ${where}` : ''}`
      : grouping.kind === 'feature'
        ? `Bug in ${grouping.value}${phrases.length ? `: ${phrases.slice(0, 2).join(', ')}` : ''}`
        : `Bug: ${phrases.length ? phrases.join(', ') : sorted[0]!.subject}`;
  const steps = uniq(allSentences.filter((s) => STEP_RE.test(s))).slice(0, 5);
  if (pages[0] && !steps.some((s) => s.includes(pages[0]!)))
    steps.unshift(`Open ${pages[0]}${versions.length ? ` (app ${versions.at(-1)})` : ''}`);
  const expected = allSentences.find((s) => EXPECTED_RE.test(s)) ?? `${where ?? 'The product'} works without errors.`;
  const actual = errors.length
    ? errors.map((e) => `"${e}"`).join('; ') +
      (allSentences.find((s) => ACTUAL_RE.test(s)) ? ` — ${allSentences.find((s) => ACTUAL_RE.test(s))}` : '')
    : (allSentences.find((s) => ACTUAL_RE.test(s)) ?? sorted[0]!.subject);
  const first = sorted[0]!.createdAt;
  const last = sorted.at(-1)!.createdAt;
  const days = Math.max(1, (last.getTime() - first.getTime()) / DAY);
  const mrrAtRisk = people.accounts.reduce((s, a) => s + a.mrr, 0);
  const tiers = uniq(people.accounts.map((a) => a.tier));
  return {
    title,
    summary:
      `${sorted.length} ticket${sorted.length === 1 ? '' : 's'} from ${people.customers.length} customer` +
      `${people.customers.length === 1 ? '' : 's'}` +
      (people.accounts.length
        ? ` at ${people.accounts.length} account${people.accounts.length === 1 ? '' : 's'} (${tiers.join(', ')}; ` +
          `MRR ${mrrAtRisk})`
        : '') +
      ` reported this between ${first.toISOString().slice(0, 10)} and ${last.toISOString().slice(0, 10)}. First ` +
      `report: "${sorted[0]!.subject}".`,
    stepsToReproduce: steps.length ? steps : ['Not given by the customers; see the linked tickets.'],
    expected,
    actual,
    errorMessages: errors,
    environment: { appVersions: versions, pages, features },
    affected: { customers: people.customers, accounts: people.accounts, mrrAtRisk },
    firstSeenAt: first.toISOString(),
    lastSeenAt: last.toISOString(),
    frequency: { tickets: sorted.length, perDay: Math.round((sorted.length / days) * 100) / 100 },
    linkedTickets: sorted.map((f) => ({
      id: f.id,
      subject: f.subject,
      status: f.status,
      createdAt: f.createdAt.toISOString(),
    })),
  };
}

/** The report as markdown for an issue's description. */
export function reportMarkdown(r: BugReportContent, reportId: string): string {
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `- ${x}`).join('\n') : '- (none)');
  return [
    r.summary,
    '## Steps to reproduce',
    r.stepsToReproduce.map((s, i) => `${i + 1}. ${s}`).join('\n'),
    '## Expected',
    r.expected,
    '## Actual',
    r.actual,
    ...(r.errorMessages.length
      ? ['## Error messages', r.errorMessages.map((e) => `\`${e.replace(/`/g, "'")}\``).join('\n')]
      : []),
    '## Environment',
    list([
      `App versions: ${r.environment.appVersions.join(', ') || 'unknown'}`,
      `Pages: ${r.environment.pages.join(', ') || 'unknown'}`,
      `Features: ${r.environment.features.join(', ') || 'unknown'}`,
    ]),
    '## Affected',
    list([
      ...r.affected.accounts.map((a) => `${a.name} (${a.tier}, MRR ${a.mrr})`),
      `${r.affected.customers.length} customers; MRR at risk ${r.affected.mrrAtRisk}`,
    ]),
    '## Frequency',
    `${r.frequency.tickets} tickets, ${r.frequency.perDay} a day; first seen ${r.firstSeenAt}, last seen ` +
      `${r.lastSeenAt}`,
    '## Linked tickets',
    list(r.linkedTickets.map((t) => `${t.subject} (${t.status}, ${t.id})`)),
    `\n_Deskmind bug report ${reportId}_`,
  ].join('\n\n');
}

async function peopleOf(ctx: Ctx, facts: readonly TicketFact[]) {
  const customerIds = uniq(facts.map((f) => f.customerId).filter((x): x is string => !!x));
  const accountIds = uniq(facts.map((f) => f.accountId).filter((x): x is string => !!x));
  const cs = customerIds.length
    ? await ctx.db
        .select({ id: customers.id, name: customers.name, email: customers.email, accountId: customers.accountId })
        .from(customers)
        .where(inArray(customers.id, customerIds))
    : [];
  const as = accountIds.length
    ? await ctx.db
        .select({ id: accounts.id, name: accounts.name, tier: accounts.tier, mrr: accounts.mrr })
        .from(accounts)
        .where(inArray(accounts.id, accountIds))
    : [];
  return { customers: cs, accounts: as.sort((a, b) => b.mrr - a.mrr) };
}

function groupingOf(fingerprint: string): { kind: 'error' | 'feature' | 'text'; value: string } {
  const [kind, ...rest] = fingerprint.split(':');
  const value = rest.join(':').replace(/#closed-.*$/, '');
  return { kind: kind === 'error' || kind === 'feature' ? kind : 'text', value };
}

/**
 * Groups the bug tickets of the last 30 days not yet in a report into open reports (or new ones) and
 * rebuilds every report that changed. Returns the ids of the reports touched.
 */
export async function refreshBugReports(ctx: Ctx, embedder: Embedder): Promise<string[]> {
  const settings = (await getInsightsSettings(ctx)).bugReports;
  const now = ctx.now();
  const facts = (await loadTicketFacts(ctx, new Date(now.getTime() - 30 * DAY), now)).filter(
    (f) => f.intent && settings.intents.includes(f.intent),
  );
  const reports = await ctx.db.select().from(bugReports).where(eq(bugReports.workspaceId, ctx.workspaceId));
  const linked = new Set(reports.flatMap((r) => r.ticketIds));
  const fresh = facts.filter((f) => !linked.has(f.id));
  if (fresh.length === 0) return [];
  const open = reports.filter((r) => r.status === 'open');
  const byFingerprint = new Map(open.map((r) => [r.fingerprint, r]));
  const additions = new Map<string, { fingerprint: string; ids: string[]; centroid: number[] | null }>();
  const add = (fingerprint: string, id: string, centroid: number[] | null = null) => {
    const a = additions.get(fingerprint) ?? { fingerprint, ids: [], centroid };
    a.ids.push(id);
    additions.set(fingerprint, a);
  };
  const byText: TicketFact[] = [];
  for (const f of fresh) {
    if (f.errors[0]) add(`error:${f.errors[0]}`, f.id);
    else if (f.feature) add(`feature:${f.feature}`, f.id);
    else byText.push(f);
  }
  if (byText.length) {
    const texts = await ticketTexts(ctx, byText);
    const vectors = await embedder.embed(byText.map((f) => texts.get(f.id)!));
    const textReports = open.filter(
      (r) => r.fingerprint.startsWith('text:') && r.centroid?.length === vectors[0]!.length,
    );
    const clusters = textReports.map((r) => clusterFrom(r.centroid!, r.ticketIds.length));
    const { assignment } = assignIncrementally(clusters, vectors, TEXT_SIMILARITY);
    assignment.forEach((c, i) => {
      const fingerprint =
        c < textReports.length ? textReports[c]!.fingerprint : `text:${byText[assignment.indexOf(c)]!.id}`;
      add(fingerprint, byText[i]!.id, Array.from(clusters[c]!.centroid));
    });
  }
  const touched: string[] = [];
  for (const a of additions.values()) {
    const existing = byFingerprint.get(a.fingerprint);
    const ticketIds = uniq([...(existing?.ticketIds ?? []), ...a.ids]);
    const groupFacts = await loadTicketFacts(ctx, new Date(0), now, ticketIds);
    const texts = await ticketTexts(ctx, groupFacts);
    const content = buildReport(groupFacts, texts, await peopleOf(ctx, groupFacts), groupingOf(a.fingerprint));
    const values = {
      title: content.title,
      report: content as unknown as Record<string, unknown>,
      ticketIds,
      centroid: a.centroid ?? existing?.centroid ?? null,
      updatedAt: now,
    };
    if (existing) {
      await ctx.db.update(bugReports).set(values).where(eq(bugReports.id, existing.id));
      touched.push(existing.id);
    } else {
      const [row] = await ctx.db
        .insert(bugReports)
        .values({ ...values, workspaceId: ctx.workspaceId, fingerprint: a.fingerprint, createdAt: now })
        .returning({ id: bugReports.id });
      await appendEvent(ctx, 'bug_report.created', null, {
        bugReportId: row!.id,
        title: content.title,
        tickets: ticketIds.length,
      });
      touched.push(row!.id);
    }
  }
  return touched;
}

/**
 * Sends every open report with at least `minTickets` tickets that the tracker has not seen in full:
 * creates the issue the first time, updates it (description and a comment) when tickets were added.
 * A tracker failure is recorded on the report (`lastError`) and retried at the next sweep.
 */
export async function syncBugReports(
  ctx: Ctx,
  outbound: TrackerOutbound,
  opts: { tracker?: BugTracker | null; only?: string; force?: boolean } = {},
): Promise<{ sent: number; failed: number }> {
  const settings = (await getInsightsSettings(ctx)).bugReports;
  const tracker =
    opts.tracker !== undefined
      ? opts.tracker
      : trackerFor(settings, {
          signingSecret: (await getWorkspace(ctx.db, ctx.workspaceId)).signingSecret,
          now: ctx.now,
          outbound,
        });
  if (!tracker) return { sent: 0, failed: 0 };
  const rows = await ctx.db
    .select()
    .from(bugReports)
    .where(
      and(
        eq(bugReports.workspaceId, ctx.workspaceId),
        eq(bugReports.status, 'open'),
        opts.only ? eq(bugReports.id, opts.only) : undefined,
      ),
    );
  let sent = 0;
  let failed = 0;
  for (const row of rows) {
    const due =
      (opts.force || row.ticketIds.length >= settings.minTickets) &&
      (row.externalId === null || row.tracker !== tracker.kind || row.sentTicketCount < row.ticketIds.length);
    if (!due) continue;
    const content = row.report as BugReportContent;
    const report: TrackerReport = {
      reportId: row.id,
      title: content.title,
      body: reportMarkdown(content, row.id),
      report: content as unknown as Record<string, unknown>,
    };
    try {
      if (row.externalId && row.tracker === tracker.kind) {
        const added = row.ticketIds.length - row.sentTicketCount;
        await tracker.update(
          { id: row.externalId, key: row.externalKey, url: row.externalUrl },
          report,
          `${added} more ticket${added === 1 ? '' : 's'} reported this (now ${row.ticketIds.length}; last seen ` +
            `${content.lastSeenAt}; MRR at risk ${content.affected.mrrAtRisk}).`,
        );
        await ctx.db
          .update(bugReports)
          .set({ sentTicketCount: row.ticketIds.length, lastSentAt: ctx.now(), lastError: null })
          .where(eq(bugReports.id, row.id));
        await appendEvent(ctx, 'bug_report.updated', null, {
          bugReportId: row.id,
          tracker: tracker.kind,
          externalId: row.externalId,
          tickets: row.ticketIds.length,
        });
      } else {
        const issue = await tracker.create(report);
        await ctx.db
          .update(bugReports)
          .set({
            tracker: tracker.kind,
            externalId: issue.id,
            externalKey: issue.key,
            externalUrl: issue.url,
            sentTicketCount: row.ticketIds.length,
            lastSentAt: ctx.now(),
            lastError: null,
          })
          .where(eq(bugReports.id, row.id));
        await appendEvent(ctx, 'bug_report.updated', null, {
          bugReportId: row.id,
          tracker: tracker.kind,
          externalId: issue.id,
          externalKey: issue.key,
          tickets: row.ticketIds.length,
          created: true,
        });
      }
      sent++;
    } catch (err) {
      failed++;
      await ctx.db
        .update(bugReports)
        .set({ lastError: err instanceof Error ? err.message : String(err) })
        .where(eq(bugReports.id, row.id));
      if (opts.only) throw err;
    }
  }
  return { sent, failed };
}

/**
 * The engineering issue was closed: the report closes, and each linked ticket not yet resolved gets the
 * configured reply and is resolved. Returns the report, or null when no report is linked to that issue.
 */
export async function closeFromTracker(
  ctx: Ctx,
  tracker: TrackerKind,
  externalId: string,
): Promise<{ report: BugReport; resolved: string[] } | null> {
  const [row] = await ctx.db
    .select()
    .from(bugReports)
    .where(
      and(
        eq(bugReports.workspaceId, ctx.workspaceId),
        eq(bugReports.tracker, tracker),
        eq(bugReports.externalId, externalId),
      ),
    )
    .orderBy(desc(bugReports.createdAt))
    .limit(1);
  if (!row) return null;
  if (row.status === 'closed') return { report: toBugReport(row), resolved: [] };
  const settings = (await getInsightsSettings(ctx)).bugReports;
  const now = ctx.now();
  // The fingerprint is freed so a regression opens a new report.
  const [closed] = await ctx.db
    .update(bugReports)
    .set({ status: 'closed', closedAt: now, fingerprint: `${row.fingerprint}#closed-${row.id}`, updatedAt: now })
    .where(eq(bugReports.id, row.id))
    .returning();
  const resolved: string[] = [];
  if (settings.resolveOnClose) {
    const facts = await loadTicketFacts(ctx, new Date(0), now, row.ticketIds);
    for (const f of facts) {
      if (f.status === 'resolved' || f.status === 'closed') continue;
      await addMessage(
        ctx,
        f.id,
        { text: settings.closeReply, visibility: 'public', attachments: [] },
        { type: 'system', id: null },
      );
      await updateTicket(ctx, f.id, { status: 'resolved' });
      resolved.push(f.id);
    }
  }
  await appendEvent(ctx, 'bug_report.closed', null, {
    bugReportId: row.id,
    tracker,
    externalId,
    resolvedTickets: resolved,
  });
  return { report: toBugReport(closed!), resolved };
}

export const BugReportsQuerySchema = z
  .object({
    status: z.enum(['open', 'closed']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** Reports, most recently changed first. */
export async function listBugReports(ctx: Ctx, query: z.infer<typeof BugReportsQuerySchema>): Promise<BugReport[]> {
  const rows = await ctx.db
    .select()
    .from(bugReports)
    .where(
      and(eq(bugReports.workspaceId, ctx.workspaceId), query.status ? eq(bugReports.status, query.status) : undefined),
    )
    .orderBy(desc(bugReports.updatedAt), asc(bugReports.id))
    .limit(query.limit);
  return rows.map(toBugReport);
}

export async function getBugReport(ctx: Ctx, id: string): Promise<BugReport> {
  const [row] = await ctx.db
    .select()
    .from(bugReports)
    .where(and(eq(bugReports.workspaceId, ctx.workspaceId), eq(bugReports.id, id)));
  if (!row) throw notFound('Bug report', id);
  return toBugReport(row);
}

/**
 * Sends (or updates) one report in the configured tracker now, whatever its size; `validation_failed` when no
 * tracker is configured or the report is closed (nothing was sent and it has no issue yet).
 */
export async function sendBugReport(ctx: Ctx, outbound: TrackerOutbound, id: string): Promise<BugReport> {
  await getBugReport(ctx, id);
  const r = await syncBugReports(ctx, outbound, { only: id, force: true });
  const report = await getBugReport(ctx, id);
  if (r.sent === 0 && r.failed === 0 && !report.externalId) {
    throw new DeskmindError(
      'validation_failed',
      'No bug tracker is configured (PATCH /insights/settings) or the report is closed',
    );
  }
  return report;
}

/** Groups new bug tickets into reports, then sends what the tracker has not seen: the reports changed, the sends. */
export async function refreshAndSendBugReports(
  ctx: Ctx,
  deps: { embedder: Embedder; outbound: TrackerOutbound },
): Promise<{ changed: string[]; sent: number; failed: number }> {
  const changed = await refreshBugReports(ctx, deps.embedder);
  return { changed, ...(await syncBugReports(ctx, deps.outbound)) };
}
