/**
 * One shape for every vendor and outbound channel. A connector declares its per-workspace settings (a zod
 * schema with defaults), which fields are write-only secrets, and what it contributes: an enrichment source,
 * a signed webhook receiver, a bug tracker, an outbound channel. Each is listed once in `registry.ts`; the
 * integration settings, the enrichment sources, the webhook routes, the trackers (the destination choice, their
 * settings in the insights settings, their webhook routes), the event fan-out and the outbox's sending are all
 * built from that list.
 *
 * A connector module never imports the registry or `settings.ts` (they import it): it is handed its own
 * section of the settings (`ConnectorSection`).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Deskmind } from '../app.js';
import type { Config } from '../config.js';
import type { EnrichmentSource } from '../pipeline/ports/enrichment.js';
import type { AppendedEvent } from '../events/listeners.js';
import type { Ctx } from '../store/ctx.js';
import type { Database } from '../store/db.js';
import type { OutboxChannel } from '../domain/enums.js';
import type { BugTracker, TrackerOutbound } from './trackers.js';
import type { MailSender } from './email-out.js';

/** A connector's own part of a workspace's integration settings: its options and the secrets that are set. */
export interface ConnectorSection<O extends z.ZodObject = z.ZodObject, S extends string = string> {
  options: z.output<O>;
  secrets: Partial<Record<S, string>>;
}

/**
 * What enrichment sources are built with. `config` is the process configuration: a connector reads its own
 * variables there (its vendor API address, `enrichTimeoutMs`), so this list names no vendor.
 */
export interface SourceDeps {
  database: Pick<Database, 'db'>;
  config: Readonly<Config>;
  now: () => Date;
}

/** A signed webhook delivery, as its receiver gets it (the body unparsed, so its signature can be checked). */
export interface WebhookDelivery<O extends z.ZodObject, S extends string> {
  workspaceId: string;
  section: ConnectorSection<O, S>;
  raw: Buffer;
  signature: string | undefined;
  log: FastifyBaseLogger;
}

/** What a webhook receiver may use of the running desk. */
export type WebhookDesk = Pick<Deskmind, 'database' | 'now' | 'tx' | 'config'>;

/** A public route `POST /integrations/<id>/webhook/:workspaceId`. */
export interface WebhookReceiver<O extends z.ZodObject, S extends string, R extends z.ZodType = z.ZodType> {
  summary: string;
  /** The request header carrying the signature. */
  signatureHeader: string;
  response: R;
  receive(desk: WebhookDesk, delivery: WebhookDelivery<O, S>): Promise<z.output<R>>;
}

/** What a tracker is built with: the workspace's signing secret (for webhooks), the clock, the outbound URL guard. */
export interface TrackerDeps {
  signingSecret: string;
  now: () => Date;
  outbound: TrackerOutbound;
}

/** The fields of a tracker's settings: text (ids, addresses, tokens), each validated by its schema. */
export type TrackerFields = z.ZodObject<Record<string, z.ZodType<string>>>;

/** A tracker's settings as stored in `insights.bugReports.<kind>`: any field may be missing. */
export type TrackerSettings<F extends TrackerFields = TrackerFields> = Partial<z.output<F>>;

/** A delivery to a tracker's webhook route, as its tracker reads it (the body also unparsed, for the signature). */
export interface TrackerWebhookDelivery<F extends TrackerFields> {
  settings: TrackerSettings<F>;
  raw: string;
  body: Record<string, unknown>;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  now: Date;
}

/**
 * A public route `POST /insights/webhooks/<kind>?workspace=<id>`: the tracker says an issue was closed, which
 * closes its bug report and resolves the linked tickets.
 */
export interface TrackerWebhook<F extends TrackerFields> {
  summary: string;
  /**
   * Checks the delivery's signature with the tracker's own settings (throws `invalid_signature`) and returns
   * the tracker's id of the issue it says was closed, or null when it says nothing Deskmind acts on.
   */
  closedIssue(delivery: TrackerWebhookDelivery<F>): string | null;
}

/**
 * A bug tracker: where bug reports can go. Its settings live in the insights settings
 * (`insights.bugReports.<kind>`), built from this declaration: each field optional when stored and nullable
 * in a change (null removes it), the secrets write-only (reads show `has<Field>`), the URLs checked by the
 * outbound URL guard when saved.
 */
export interface TrackerFactory<
  K extends string = string,
  F extends TrackerFields = TrackerFields,
  S extends string = string,
> {
  /** Its name as `insights.bugReports.destination`, the key of its settings there and its webhook path segment. */
  kind: K;
  settings: F;
  /** The write-only fields. */
  secrets: readonly S[];
  /** The fields that are outbound URLs. */
  urls: readonly (keyof z.output<F> & string)[];
  /** The tracker, or null when its settings are incomplete. */
  create(settings: TrackerSettings<F>, deps: TrackerDeps): BugTracker<K> | null;
  webhook?: TrackerWebhook<F>;
}

/** Declares a tracker, keeping its kind, settings and secret names as literal types for the registry. */
export function defineTracker<
  const K extends string,
  F extends TrackerFields,
  const S extends keyof z.output<F> & string = never,
>(tracker: TrackerFactory<K, F, S>): TrackerFactory<K, F, S> {
  return tracker;
}

/** An enabled webhook or Slack endpoint of the workspace, as fan-out reads it with the event's insert. */
export interface FanOutEndpoint {
  id: string;
  kind: 'webhook' | 'slack';
  eventTypes: string[];
}

/** One outbox row an event causes on a connector's channel: its endpoint (none for email) and its payload. */
export interface OutboundDelivery<P extends Record<string, unknown> = Record<string, unknown>> {
  endpointId: string | null;
  payload: P;
}

/** A stored outbox delivery as its channel sends it: the payload parsed by the channel's own schema. */
export interface OutboxMessage<P> {
  id: string;
  eventType: string;
  seq: number | null;
  /** The webhook or Slack endpoint it goes to, with its signing secret; null for email. */
  endpoint: { url: string; secret: string } | null;
  payload: P;
}

/** What a channel sends with: the worker's clock, the outbound URL guard's fetch, the attempt timeout, the relay. */
export interface SendDeps {
  now: () => Date;
  /** The SSRF-guarded fetch (`OutboundGuard.fetch`): webhook and Slack URLs are workspace-configured. */
  fetch: typeof fetch;
  timeoutMs: number;
  /** The SMTP relay (null: none configured). */
  mail: MailSender | null;
}

/** The outcome of one attempt, as the outbox records it. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** Retrying would not help (the outbound URL guard refused the destination, the stored payload is not one the
   * channel sends): the delivery goes to the dead-letter list at once. */
  permanent?: boolean;
}

/**
 * An outbound channel: the deliveries an appended event causes, written to the outbox in the event's own
 * transaction (channels/fanout.ts), and how one is sent when the outbox worker (channels/outbox.ts) finds it
 * due. The worker owns leases, retries, backoff and the dead-letter list; it finds the channel by the row's
 * `channel` (`senderOf` in the registry) and hands `send` the stored payload parsed by `payload`.
 */
export interface OutboundChannel<P extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>> {
  /** The outbox channel its rows are written on. */
  channel: OutboxChannel;
  /** What its rows' payloads are. */
  payload: P;
  deliveries(
    ctx: Ctx,
    ev: AppendedEvent,
    endpoints: readonly FanOutEndpoint[],
  ): Promise<OutboundDelivery<z.output<P>>[]>;
  send(message: OutboxMessage<z.output<P>>, deps: SendDeps): Promise<SendResult>;
}

export interface Connector<
  Id extends string = string,
  O extends z.ZodObject = z.ZodObject,
  S extends string = string,
  T extends TrackerFactory = TrackerFactory,
> {
  /** The settings section and the webhook path segment (`stripe`, `hubspot` …). */
  id: Id;
  /** What it connects, in plain words. */
  title: string;
  /** Non-secret per-workspace options, with their defaults (absent: the connector has none). */
  options?: O;
  /**
   * Write-only secrets, by their API field names (`secretKey`); stored as `<id><Field>` (`stripeSecretKey`),
   * shown only as set / last four characters, logged by name only.
   */
  secrets?: readonly S[];
  /** The enrichment source for a workspace, or null when not configured there. */
  enrichment?(section: ConnectorSection<O, S>, deps: SourceDeps, workspaceId: string): EnrichmentSource | null;
  webhook?: WebhookReceiver<O, S>;
  /** A destination for bug reports (`defineTracker`). */
  tracker?: T;
  /** What it sends when events are appended, and how (signed webhooks, Slack messages, email replies). */
  outbound?: OutboundChannel;
}

/** Declares an outbound channel, checking its deliveries and its send against its own payload schema. */
export function defineOutbound<P extends z.ZodType<Record<string, unknown>>>(
  channel: OutboundChannel<P>,
): OutboundChannel {
  return channel;
}

/**
 * Declares a connector, keeping its id, options schema, secret names and tracker as literal types for the
 * registry.
 */
export function defineConnector<
  const Id extends string,
  O extends z.ZodObject = z.ZodObject<Record<never, never>>,
  const S extends string = never,
  T extends TrackerFactory = never,
>(connector: Connector<Id, O, S, T>): Connector<Id, O, S, T> {
  return connector;
}

/** The name a secret is stored under: `stripe` + `secretKey` → `stripeSecretKey`. */
export const storedSecretName = <Id extends string, S extends string>(id: Id, field: S) =>
  `${id}${field.charAt(0).toUpperCase()}${field.slice(1)}` as `${Id}${Capitalize<S>}`;
