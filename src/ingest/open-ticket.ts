/**
 * Opening a ticket (`POST /tickets`, the widget): the ticket, its first message, its events and its pipeline
 * job are written in one transaction, so an acknowledged ticket always has its job, even if the process dies
 * right after the commit. Tickets that arrive while others are being written are written together as the
 * next group (group commit; DESKMIND_INGEST_GROUP_SIZE).
 */
import type { Config } from '../config.js';
import type { TicketCreate } from '../domain/schemas.js';
import { withEventBatch } from '../events/timeline.js';
import { pipelineJob } from '../jobs/queue.js';
import type { Actor, Ctx } from '../store/ctx.js';
import * as ticketOps from '../tickets/create-ticket.js';
import { storeIdempotentResponse, storeIdempotentResponses, type IdempotencyClaim } from '../store/idempotency.js';
import { inRetriedTransaction } from '../store/transaction.js';
import type { IngestDeps } from './deps.js';
import { GroupCommit, powerOfTwoChunks, settle, type Outcome } from './group-commit.js';

/** A `POST /tickets` as `open` receives it. */
interface TicketRequest {
  workspaceId: string;
  actor: Actor;
  input: TicketCreate;
  idempotency: IdempotencyClaim | null;
}
export type CreatedTicket = Awaited<ReturnType<typeof ticketOps.createTicket>>;
/** The Idempotency-Key claimed for the request, whose response is then stored with the ticket. */
export type OpenTicketOptions = { idempotency?: IdempotencyClaim | null };

/** Opens tickets, alone or in groups (see the module's comment). */
export class TicketOpener {
  /** Ticket creations written together (group commit). */
  private readonly group: GroupCommit<TicketRequest, CreatedTicket>;
  private fallbacks = 0;

  constructor(private readonly deps: IngestDeps & { config: Pick<Config, 'ingestGroupSize' | 'ingestLingerMs'> }) {
    const { ingestGroupSize: maxSize, ingestLingerMs: lingerMs } = deps.config;
    this.group = new GroupCommit({ maxSize, lingerMs, write: (requests) => this.writeGroup(requests) });
  }

  /** Opens a ticket and queues its pipeline in the same transaction (with the response an Idempotency-Key retry gets).
   */
  open(workspaceId: string, actor: Actor, input: TicketCreate, opts: OpenTicketOptions = {}): Promise<CreatedTicket> {
    const request: TicketRequest = { workspaceId, actor, input, idempotency: opts.idempotency ?? null };
    return this.deps.config.ingestGroupSize > 1 ? this.group.submit(request) : this.openAlone(request);
  }

  /** Ticket groups written so far: how many, the tickets they held, the largest, and how many fell back to one at a
   * time. */
  get stats(): { groups: number; members: number; largest: number; fallbacks: number } {
    return { ...this.group.stats, fallbacks: this.fallbacks };
  }

  /** One ticket in its own transaction, run again if PostgreSQL rolls it back to break a deadlock. */
  private async openAlone(r: TicketRequest): Promise<CreatedTicket> {
    const created = await inRetriedTransaction(this.deps, r.workspaceId, r.actor, async (txCtx) => {
      const created = await withEventBatch(txCtx, (ctx) => ticketOps.createTicket(ctx, r.input, { sla: true }));
      await this.deps.jobs.enqueuePipeline(
        { workspaceId: r.workspaceId, ticketId: created.ticket.id, trigger: 'created' },
        txCtx.db,
      );
      // The response a retry with the same Idempotency-Key gets, committed with the ticket.
      if (r.idempotency)
        await storeIdempotentResponse(txCtx.db, r.idempotency, 201, JSON.parse(JSON.stringify(created)));
      return created;
    });
    this.deps.jobs.wake(pipelineJob.name);
    return created;
  }

  /**
   * Writes a group of ticket requests in one transaction: per workspace, customers resolved together and
   * tickets, messages and events inserted in one statement each; then every pipeline job and stored
   * idempotent response in one statement each. A bad body is refused alone, before anything is written. If
   * the group fails (a duplicate externalId, an unknown customer, a deadlock…), each request is written alone,
   * as without grouping, so that each gets its own outcome.
   */
  private async writeGroup(requests: TicketRequest[]): Promise<Outcome<CreatedTicket>[]> {
    if (requests.length === 1) return [await settle(() => this.openAlone(requests[0]!))];
    const outcomes: (Outcome<CreatedTicket> | null)[] = [];
    const drafts = new Map<number, ticketOps.TicketDraft>();
    for (const [i, r] of requests.entries()) {
      try {
        drafts.set(i, ticketOps.draftTicket(r.input, r.actor));
        outcomes.push(null);
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    if (!drafts.size) return outcomes as Outcome<CreatedTicket>[];
    try {
      const created = await this.deps.database.db.transaction(async (tx) => {
        const byWorkspace = new Map<string, number[]>();
        for (const i of drafts.keys())
          byWorkspace.set(requests[i]!.workspaceId, [...(byWorkspace.get(requests[i]!.workspaceId) ?? []), i]);
        const out = new Map<number, CreatedTicket>();
        // One run per workspace: the inserts' statement text does not depend on the row count (`bulkInsert`).
        for (const [workspaceId, members] of byWorkspace) {
          const ctx: Ctx = { db: tx, workspaceId, actor: requests[members[0]!]!.actor, now: this.deps.now };
          const results = await withEventBatch(ctx, (c) =>
            ticketOps.createTickets(
              c,
              members.map((i) => drafts.get(i)!),
              { sla: true },
            ),
          );
          members.forEach((i, k) => out.set(i, results[k]!));
        }
        const written = [...out];
        await this.deps.jobs.enqueuePipelines(
          written.map(([i, c]) => ({
            workspaceId: requests[i]!.workspaceId,
            ticketId: c.ticket.id,
            trigger: 'created' as const,
          })),
          tx,
        );
        // The responses retries with the same Idempotency-Key get, committed with the tickets.
        const responses = written.flatMap(([i, c]) => {
          const claim = requests[i]!.idempotency;
          return claim ? [{ claim, statusCode: 201, response: JSON.parse(JSON.stringify(c)) as unknown }] : [];
        });
        for (const run of powerOfTwoChunks(responses)) await storeIdempotentResponses(tx, run);
        return out;
      });
      for (const [i, c] of created) outcomes[i] = { ok: true, value: c };
      this.deps.jobs.wake(pipelineJob.name);
    } catch (err) {
      this.fallbacks++;
      this.deps.logger.debug({ err, size: drafts.size }, 'ticket group failed; writing its tickets one at a time');
      for (const i of drafts.keys()) outcomes[i] = await settle(() => this.openAlone(requests[i]!));
    }
    return outcomes.map((o) => o ?? { ok: false, error: new Error('ticket group: no outcome') });
  }
}
