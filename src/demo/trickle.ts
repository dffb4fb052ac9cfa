/**
 * The demo's live trickle: after the demo starts, a new ticket in the style of its history every 20-40 seconds,
 * opened through the ticket-opening operation (`Deskmind.createTicket`, as `POST /api/v1/tickets` does), so the
 * pipeline decides it like any other and the console and dashboards move while someone watches. Its timing goes
 * through a {@link Timer}, so tests fire it by hand instead of waiting.
 */
import type { Deskmind } from '../app.js';
import { rng } from '../nlp/intent/numeric.js';
import { demoQuestion } from './history.js';

/** Schedules `fn` once after `ms`; returns how to cancel it. */
export interface Timer {
  after(ms: number, fn: () => void): () => void;
}

/** The real clock's timer (it does not keep the process alive). */
export const realTimer: Timer = {
  after(ms, fn) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return () => clearTimeout(handle);
  },
};

export interface TrickleOptions {
  timer?: Timer;
  rand?: () => number;
  /** Shortest and longest pause between two tickets (default 20 and 40 seconds). */
  minMs?: number;
  maxMs?: number;
  /** Called with each ticket opened (the next one is scheduled by then). */
  onTicket?: (ticketId: string) => void;
  /** Called when opening one fails (the trickle goes on). */
  onError?: (err: unknown) => void;
}

/**
 * Starts the trickle into a workspace; `stop()` ends it (a ticket being opened still completes).
 *
 * @example const trickle = startTrickle(desk, workspaceId, { onError: (e) => desk.logger.warn(e) }); trickle.stop();
 */
export function startTrickle(desk: Deskmind, workspaceId: string, opts: TrickleOptions = {}): { stop(): void } {
  const timer = opts.timer ?? realTimer;
  const rand = opts.rand ?? rng(Date.now());
  const [min, max] = [opts.minMs ?? 20_000, opts.maxMs ?? 40_000];
  let cancel: (() => void) | null = null;
  let stopped = false;
  const open = async () => {
    const q = demoQuestion(rand);
    const { ticket } = await desk.createTicket(
      workspaceId,
      { type: 'integration', id: null },
      {
        subject: q.subject,
        customer: { email: q.customer.email, name: q.customer.name, accountExternalId: q.customer.accountExternalId },
        channel: 'widget',
        tags: [],
        message: { text: q.text, visibility: 'public', attachments: [] },
      },
    );
    return ticket.id;
  };
  const schedule = () => {
    if (stopped) return;
    cancel = timer.after(min + Math.floor(rand() * (max - min)), () => {
      // the next one is scheduled before anyone hears of this one
      open().then(
        (id) => {
          schedule();
          opts.onTicket?.(id);
        },
        (err: unknown) => {
          schedule();
          opts.onError?.(err);
        },
      );
    });
  };
  schedule();
  return {
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
