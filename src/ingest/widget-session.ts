import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { DeskmindError, notFound } from '../domain/errors.js';
import { PageContextSchema, Timestamp } from '../domain/schemas.js';
import { AI_ANSWERED } from '../domain/tags.js';
import type { DbOrTx } from '../store/db.js';
import { articles, messages, ticketColumns, tickets, workspaces } from '../store/schema.js';
import { latestComposedReply } from '../store/repos/decisions.js';
import { inTransaction, systemActor, type Ctx } from '../store/ctx.js';
import type { Deskmind } from '../app.js';
import { resolveCustomerRef } from '../people/resolve-customer-ref.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';

/**
 * The chat widget's side of a workspace: its public id (in the `<script>` tag), the secret the host app
 * signs user ids with (identity verification), and whether unverified visitors may chat.
 */
export const WidgetSettingsSchema = z.object({
  publicId: z.string(),
  secret: z.string(),
  /** Only visitors whose `userHash` proves their `userId` may chat. */
  identityRequired: z.boolean().default(false),
  title: z.string().max(100).default('Help'),
  greeting: z.string().max(500).default('Hi! Ask us anything — we usually answer in seconds.'),
});
export type WidgetSettings = z.infer<typeof WidgetSettingsSchema>;
export const WidgetSettingsPatchSchema = z
  .object({
    identityRequired: z.boolean(),
    title: z.string().trim().min(1).max(100),
    greeting: z.string().trim().min(1).max(500),
  })
  .partial()
  .strict();

const newPublicId = () => `wgt_${randomBytes(12).toString('hex')}`;
const newSecret = () => randomBytes(32).toString('hex');

async function saveWidget(db: DbOrTx, workspaceId: string, widget: WidgetSettings): Promise<WidgetSettings> {
  const ws = await getWorkspace(db, workspaceId);
  await db
    .update(workspaces)
    .set({ settings: { ...ws.settings, widget } })
    .where(eq(workspaces.id, workspaceId));
  return widget;
}

/** The workspace's widget settings, created (with a fresh public id and secret) on first use, in one transaction. */
export function getWidgetSettings(ctx: Ctx): Promise<WidgetSettings> {
  return inTransaction(ctx, widgetSettingsOf);
}

/** The widget settings (created on first use) in the caller's transaction. */
async function widgetSettingsOf(ctx: Ctx): Promise<WidgetSettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const parsed = WidgetSettingsSchema.safeParse(ws.settings.widget);
  if (parsed.success) return parsed.data;
  return saveWidget(
    ctx.db,
    ctx.workspaceId,
    WidgetSettingsSchema.parse({ publicId: newPublicId(), secret: newSecret() }),
  );
}

/** Changes the widget settings (logged, without the secret), in one transaction. */
export function updateWidgetSettings(
  ctx: Ctx,
  patch: z.infer<typeof WidgetSettingsPatchSchema>,
): Promise<WidgetSettings> {
  return inTransaction(ctx, async (ctx) => {
    const before = await widgetSettingsOf(ctx);
    const after = await saveWidget(ctx.db, ctx.workspaceId, { ...before, ...patch });
    await appendEvent(ctx, 'settings.changed', null, {
      section: 'widget',
      before: { ...before, secret: undefined },
      after: { ...after, secret: undefined },
    });
    return after;
  });
}

/**
 * Replaces the identity-verification secret, in one transaction: every user hash and widget session signed with the
 * old one stops working.
 */
export function rotateWidgetSecret(ctx: Ctx): Promise<WidgetSettings> {
  return inTransaction(ctx, async (ctx) => {
    const after = await saveWidget(ctx.db, ctx.workspaceId, { ...(await widgetSettingsOf(ctx)), secret: newSecret() });
    await appendEvent(ctx, 'settings.changed', null, { section: 'widget', rotated: true });
    return after;
  });
}

/** What the widget's public side uses of the running desk (it knows no workspace until the widget id names one). */
export type WidgetDesk = Pick<Deskmind, 'database' | 'now' | 'ctx'>;

/** The workspace a widget public id belongs to, with its settings; null when unknown. */
async function findWidget(
  db: DbOrTx,
  publicId: string,
): Promise<{ workspaceId: string; widget: WidgetSettings } | null> {
  const [row] = await db
    .select({ id: workspaces.id, settings: workspaces.settings })
    .from(workspaces)
    .where(sql`${workspaces.settings} -> 'widget' ->> 'publicId' = ${publicId}`)
    .limit(1);
  if (!row) return null;
  const parsed = WidgetSettingsSchema.safeParse(row.settings.widget);
  return parsed.success ? { workspaceId: row.id, widget: parsed.data } : null;
}

/**
 * The user hash a host app computes on its server for identity verification:
 * `HMAC-SHA256(widget secret, userId)` in hex.
 */
export const userHashOf = (secret: string, userId: string): string =>
  createHmac('sha256', secret).update(userId).digest('hex');

/** Constant-time comparison of two strings (hex digits compared case-insensitively). */
const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

export const WidgetSessionInputSchema = z
  .object({
    widgetId: z.string().min(1).max(100),
    /** The host app's id of the signed-in user; with `userHash`, the visitor is that customer. */
    userId: z.string().trim().min(1).max(200).optional(),
    userHash: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{64}$/, 'a hex HMAC-SHA256')
      .optional(),
    name: z.string().trim().min(1).max(300).optional(),
    email: z.email().max(320).optional(),
    /** A random id the widget keeps in the browser for an anonymous visitor. */
    visitorId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,100}$/)
      .optional(),
  })
  .strict();
export type WidgetSessionInput = z.infer<typeof WidgetSessionInputSchema>;

/**
 * Decides who a widget visitor is. A user id with a valid hash is that customer. A wrong hash is always
 * refused; a user id without one — and any anonymous visitor — is refused when the workspace requires
 * identity verification, and otherwise chats as an anonymous visitor (never as the user id it claimed):
 * the `visitorId` the browser keeps, or a new one when none is sent.
 */
export async function widgetCustomer(ctx: Ctx, widget: WidgetSettings, input: WidgetSessionInput) {
  if (input.userId && input.userHash) {
    if (!safeEqual(input.userHash, userHashOf(widget.secret, input.userId))) {
      throw new DeskmindError(
        'identity_unverified',
        'The userHash does not match the userId; compute it on your server with the widget secret',
      );
    }
    const customer = await resolveCustomerRef(ctx, {
      externalId: input.userId,
      ...(input.name ? { name: input.name } : {}),
    });
    return { customer, verified: true };
  }
  if (input.userHash) throw new DeskmindError('identity_unverified', 'A userHash needs its userId');
  if (widget.identityRequired) {
    throw new DeskmindError(
      'identity_unverified',
      input.userId
        ? 'This workspace requires a userHash with the userId'
        : 'This workspace requires a verified user (userId and userHash)',
    );
  }
  const visitorId = input.visitorId ?? randomBytes(18).toString('base64url');
  const customer = await resolveCustomerRef(ctx, {
    externalId: `visitor:${visitorId}`,
    ...(input.name ? { name: input.name } : {}),
  });
  return { customer, verified: false };
}

// ── widget session tokens ───────────────────────────────────────────────────
/** The request header that carries a widget session token. */
export const WIDGET_TOKEN_HEADER = 'x-deskmind-widget-token';
/** `v`: the visitor proved their identity (tokens issued before it existed carry none: unverified). */
const TokenSchema = z.object({ w: z.uuid(), c: z.uuid(), exp: z.number(), v: z.boolean().optional() });
export type WidgetToken = { workspaceId: string; customerId: string; expiresAt: Date; verified: boolean };

const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`widget-session.${body}`).digest('base64url');

/** A stateless session token, signed with the widget secret (rotating it ends every session). */
export function issueWidgetToken(secret: string, t: WidgetToken): string {
  const body = Buffer.from(
    JSON.stringify({ w: t.workspaceId, c: t.customerId, exp: Math.floor(t.expiresAt.getTime() / 1000), v: t.verified }),
  ).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/**
 * Checks a widget session token against the workspace's current widget settings (read on every request):
 * throws `unauthorized` when it is forged, expired or from a rotated secret, and `identity_unverified` when
 * the workspace requires verified users and the session is an anonymous one (opened before the setting changed).
 */
export async function verifyWidgetToken(
  desk: Omit<WidgetDesk, 'ctx'>,
  token: string | undefined,
): Promise<WidgetToken> {
  const fail = () =>
    new DeskmindError('unauthorized', 'The widget session is missing, expired or invalid; open a new one');
  if (!token) throw fail();
  const [body, signature] = token.split('.');
  if (!body || !signature) throw fail();
  let claims: z.infer<typeof TokenSchema>;
  try {
    claims = TokenSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw fail();
  }
  const [row] = await desk.database.db
    .select({ settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, claims.w));
  const widget = WidgetSettingsSchema.safeParse(row?.settings.widget);
  if (
    !widget.success ||
    !safeEqual(Buffer.from(signature).toString('hex'), Buffer.from(sign(widget.data.secret, body)).toString('hex'))
  )
    throw fail();
  if (claims.exp * 1000 <= desk.now().getTime()) throw fail();
  const verified = claims.v === true;
  if (widget.data.identityRequired && !verified) {
    throw new DeskmindError(
      'identity_unverified',
      'This workspace now requires a verified user: open a new session with userId and userHash',
    );
  }
  return { workspaceId: claims.w, customerId: claims.c, expiresAt: new Date(claims.exp * 1000), verified };
}

const SESSION_HOURS = 24;

/** A visitor's new widget session: its token and what the widget shows first. */
export const WidgetSessionSchema = z.object({
  token: z.string(),
  customerId: z.uuid(),
  verified: z.boolean(),
  expiresAt: z.string(),
  title: z.string(),
  greeting: z.string(),
});
export type WidgetSession = z.infer<typeof WidgetSessionSchema>;

/**
 * Opens a widget session for the widget public id: an anonymous visitor, or a user proven by `userHash`.
 * `guard` runs the identity check, given the widget's workspace (the route throttles guessed hashes with it).
 */
export async function openWidgetSession(
  desk: WidgetDesk,
  input: WidgetSessionInput,
  guard: <T>(workspaceId: string, check: () => Promise<T>) => Promise<T> = (_ws, check) => check(),
): Promise<WidgetSession> {
  const found = await findWidget(desk.database.db, input.widgetId);
  if (!found) throw new DeskmindError('unauthorized', 'Unknown widget id; copy it from the console (Admin → Widget)');
  const { customer, verified } = await guard(found.workspaceId, () =>
    inTransaction(desk.ctx(found.workspaceId, systemActor), (ctx) => widgetCustomer(ctx, found.widget, input)),
  );
  const expiresAt = new Date(desk.now().getTime() + SESSION_HOURS * 3_600_000);
  const token = issueWidgetToken(found.widget.secret, {
    workspaceId: found.workspaceId,
    customerId: customer.id,
    expiresAt,
    verified,
  });
  const { title, greeting } = found.widget;
  return { token, customerId: customer.id, verified, expiresAt: expiresAt.toISOString(), title, greeting };
}

// ── what the visitor sees ───────────────────────────────────────────────────
export const WalkthroughSchema = z.object({
  articleId: z.uuid(),
  title: z.string(),
  steps: z.array(z.object({ title: z.string(), selector: z.string(), body: z.string().optional() })),
});

/** A ticket as its customer sees it: public messages only, and the walkthroughs of the articles an answer used. */
export const WidgetTicketSchema = z.object({
  id: z.uuid(),
  subject: z.string(),
  status: z.string(),
  /** The assistant answered and the customer has not said whether it helped. */
  awaitingFeedback: z.boolean(),
  humanRequested: z.boolean(),
  /**
   * What the customer is waiting for, so the widget never goes silent: `thinking` (the assistant has not
   * decided yet), `awaiting_person` (handed to a person who has not replied yet), `answered` (the assistant
   * answered; did it help?), `replied` (a person replied last), `resolved`, `closed`.
   */
  state: z.enum(['thinking', 'awaiting_person', 'answered', 'replied', 'resolved', 'closed']),
  /** The ticket was reopened (by the customer's reply or their "Talk to a human") and is being worked again. */
  reopened: z.boolean(),
  /** When a person is due to reply (the SLA's first-response or resolution target), while one is awaited. */
  expectedReplyBy: Timestamp.nullable(),
  messages: z.array(
    z.object({
      id: z.uuid(),
      authorType: z.enum(['customer', 'agent', 'assistant', 'system']),
      text: z.string(),
      createdAt: Timestamp,
    }),
  ),
  walkthroughs: z.array(WalkthroughSchema),
});
export type WidgetTicket = z.infer<typeof WidgetTicketSchema>;

export const WidgetMessageInputSchema = z
  .object({ text: z.string().trim().min(1).max(20_000), pageContext: PageContextSchema.optional() })
  .strict();

/** The customer's ticket, or not found (another customer's ticket is never shown). */
export async function getWidgetTicket(ctx: Ctx, customerId: string, ticketId: string): Promise<WidgetTicket> {
  const [ticket] = await ctx.db
    .select(ticketColumns)
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId), eq(tickets.customerId, customerId)));
  if (!ticket) throw notFound('Ticket', ticketId);
  const rows = await ctx.db
    .select({
      id: messages.id,
      authorType: messages.authorType,
      text: messages.bodyText,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(and(eq(messages.ticketId, ticketId), eq(messages.visibility, 'public')))
    .orderBy(messages.createdAt, messages.id);
  const resolve = await latestComposedReply(ctx.db, ticketId);
  const sourceIds = [
    ...new Set((resolve?.sources ?? []).map((s) => s.articleId).filter((id): id is string => typeof id === 'string')),
  ];
  const withSteps = sourceIds.length
    ? await ctx.db
        .select({ id: articles.id, title: articles.title, walkthrough: articles.walkthrough })
        .from(articles)
        .where(
          and(
            eq(articles.workspaceId, ctx.workspaceId),
            inArray(articles.id, sourceIds),
            eq(articles.status, 'published'),
          ),
        )
    : [];
  const answered = rows.some((m) => m.authorType === 'assistant');
  const humanRequested = ticket.tags.includes('human_requested');
  const awaitingFeedback =
    answered && ticket.tags.includes(AI_ANSWERED) && ticket.status === 'resolved' && !humanRequested;
  const state = widgetState({
    status: ticket.status,
    awaitingFeedback,
    humanRequested,
    lastAuthor: rows.at(-1)?.authorType ?? null,
  });
  return {
    id: ticket.id,
    subject: ticket.subject,
    status: ticket.status,
    awaitingFeedback,
    humanRequested,
    state,
    reopened: ticket.reopenCount > 0 && (state === 'awaiting_person' || state === 'thinking'),
    expectedReplyBy:
      state === 'awaiting_person'
        ? ticket.firstResponseAt
          ? ticket.resolutionDueAt
          : ticket.firstResponseDueAt
        : null,
    messages: rows,
    walkthroughs: sourceIds
      .map((id) => withSteps.find((a) => a.id === id))
      .filter((a): a is NonNullable<typeof a> => !!a && !!a.walkthrough?.length)
      .map((a) => ({
        articleId: a.id,
        title: a.title,
        steps: a.walkthrough!.map((s) => ({
          title: s.title,
          selector: s.selector,
          ...(s.body ? { body: s.body } : {}),
        })),
      })),
  };
}

/** What the customer of a ticket is waiting for (see `WidgetTicketSchema.state`). */
export function widgetState(t: {
  status: string;
  awaitingFeedback: boolean;
  humanRequested: boolean;
  lastAuthor: WidgetTicket['messages'][number]['authorType'] | null;
}): WidgetTicket['state'] {
  if (t.status === 'closed') return 'closed';
  if (t.awaitingFeedback) return 'answered';
  if (t.status === 'resolved') return 'resolved';
  if (t.lastAuthor === 'agent') return 'replied';
  // A new ticket the pipeline has not decided yet, unless the customer already asked for a person.
  if (t.status === 'new' && !t.humanRequested) return 'thinking';
  return 'awaiting_person';
}

/** The customer's recent tickets, newest first. */
export async function listWidgetTickets(ctx: Ctx, customerId: string) {
  return ctx.db
    .select({ id: tickets.id, subject: tickets.subject, status: tickets.status, updatedAt: tickets.updatedAt })
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.customerId, customerId)))
    .orderBy(desc(tickets.updatedAt))
    .limit(20);
}
