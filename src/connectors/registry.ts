/**
 * Every connector, listed once. Adding a vendor: one file exporting a `Connector` (see `connector.ts`) and
 * one line here; its settings section, secrets, enrichment source, webhook route, tracker (its destination
 * name, its settings in the insights settings, its webhook route) and outbound channel follow.
 * The order is the order of the settings sections, of the enrichment sources in decision records and of an
 * event's outbox rows.
 */
import { z } from 'zod';
import type { OutboxChannel } from '../domain/enums.js';
import type {
  Connector,
  OutboundChannel,
  OutboxMessage,
  SendDeps,
  SendResult,
  TrackerDeps,
  TrackerFactory,
  TrackerFields,
} from './connector.js';
import { crmConnector } from './crm.js';
import { emailOutConnector } from './email-out.js';
import { githubConnector } from './github.js';
import { hubspotConnector } from './hubspot.js';
import { linearConnector } from './linear.js';
import { slackConnector } from './slack.js';
import { stripeConnector } from './stripe.js';
import type { BugTracker } from './trackers.js';
import { usageConnector } from './usage.js';
import { webhooksConnector } from './webhooks.js';

export const CONNECTORS = [
  stripeConnector,
  usageConnector,
  hubspotConnector,
  crmConnector,
  linearConnector,
  githubConnector,
  webhooksConnector,
  slackConnector,
  emailOutConnector,
] as const;

/** The registry without each connector's literal types, for code that treats them alike. */
export const ALL: readonly Connector[] = CONNECTORS;

/** The registered trackers, each with its literal kind, settings and secret names. */
export type RegisteredTracker = NonNullable<(typeof CONNECTORS)[number]['tracker']>;
/** What `insights.bugReports.destination` may name besides `none`. */
export type TrackerKind = RegisteredTracker['kind'];

/** The registry's bug trackers, in its order (the order of their settings and webhook routes). */
export const TRACKERS: readonly TrackerFactory<TrackerKind>[] = CONNECTORS.flatMap((c) =>
  c.tracker ? [c.tracker] : [],
);

/** The stored form of a tracker's settings: each of its fields optional, no other. */
export const trackerSettingsSchema = <F extends TrackerFields>(tracker: TrackerFactory<string, F, string>) =>
  tracker.settings.partial().strict();

/**
 * A tracker's own section of the bug-report settings (`insights.bugReports.<kind>`, already validated with
 * them), read with its schema.
 */
export function trackerSettingsOf<F extends TrackerFields>(
  tracker: TrackerFactory<string, F, string>,
  bugReports: Readonly<Record<string, unknown>>,
) {
  return trackerSettingsSchema(tracker).parse(bugReports[tracker.kind] ?? {});
}

/**
 * The tracker the bug-report settings choose, or null (destination `none`, or not fully configured).
 * Its calls go through the outbound URL guard.
 */
export function trackerFor(
  settings: Readonly<Record<string, unknown>> & { destination: string },
  deps: TrackerDeps,
): BugTracker<TrackerKind> | null {
  const tracker = TRACKERS.find((t) => t.kind === settings.destination);
  return tracker?.create(trackerSettingsOf(tracker, settings), deps) ?? null;
}

/** The registry's outbound channels, in its order (the order of an event's outbox rows). */
export const OUTBOUND: readonly OutboundChannel[] = ALL.flatMap((c) => (c.outbound ? [c.outbound] : []));

/** The outbound channel that sends a channel's outbox rows. */
const senderOf = (channel: OutboxChannel): OutboundChannel | undefined => OUTBOUND.find((o) => o.channel === channel);

/**
 * Sends one stored outbox delivery through the connector whose channel it is, its payload parsed by that
 * connector's schema. A row no connector sends, or whose payload is not one its connector sends, fails for good.
 */
export async function sendDelivery(
  channel: OutboxChannel,
  message: OutboxMessage<unknown>,
  deps: SendDeps,
): Promise<SendResult> {
  const sender = senderOf(channel);
  if (!sender)
    return { ok: false, statusCode: null, error: `no connector sends ${channel} deliveries`, permanent: true };
  const payload = sender.payload.safeParse(message.payload);
  if (!payload.success) {
    const error = `the stored payload is not one the ${channel} channel sends: ${z.prettifyError(payload.error)}`;
    return { ok: false, statusCode: null, error: error.slice(0, 500), permanent: true };
  }
  return sender.send({ ...message, payload: payload.data }, deps);
}
