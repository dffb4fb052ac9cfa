/**
 * Every list the API and the console offer (the ticket list with each of its filters and sorts, search, the
 * queue's views) is planned without a sequential scan of `tickets` at 100k tickets, and reads few more
 * tickets than it returns, on PGlite and on a PostgreSQL server: each filter has an index that yields its
 * rows in the list's order. The plans are those of the queries the services run (`EXPLAIN ANALYZE`).
 * Not covered (the planner may scan one index and filter by the other): the `updated` sort combined with a
 * filter. A search reads its matches (its cost follows them, not the tickets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory, SYNTHETIC_INTENTS } from '../bench/synthetic.js';
import { TicketListQuerySchema, type Ticket, type TicketListQuery } from '../src/domain/schemas.js';
import type { Ctx } from '../src/store/ctx.js';
import { listTickets, ticketListQuery } from '../src/tickets/list-tickets.js';
import { queueQuery } from '../src/sla/queue.js';
import { QueueQuerySchema } from '../src/sla/schemas.js';
import { backends, openTestDatabase } from './helpers.js';

const TICKETS = 100_000;

/** At most this many tickets may be read and thrown away by a filter to answer one page (2% of them). */
const MAX_FILTERED = TICKETS / 50;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
const walk = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(walk)];
const describePlan = (plan: PlanNode) =>
  walk(plan)
    .map((n) => {
      const index = n['Index Name'] ? ` ${n['Index Name']}` : '';
      const removed = n['Rows Removed by Filter'] ? ` (-${n['Rows Removed by Filter']})` : '';
      return `${n['Node Type']}${index}${removed}`;
    })
    .join(' > ');
/**
 * What a plan does wrong with `tickets`: a sequential scan, or a scan that reads many more tickets than it
 * keeps (an index that yields the list's order but not its filter: linear in the tickets).
 */
const problems = (plan: PlanNode): string[] =>
  walk(plan)
    .filter((n) => n['Relation Name'] === 'tickets')
    .flatMap((n) => [
      ...(n['Node Type'] === 'Seq Scan' ? ['Seq Scan on tickets'] : []),
      ...((n['Rows Removed by Filter'] ?? 0) > MAX_FILTERED
        ? [`${n['Rows Removed by Filter']} tickets removed by a filter`]
        : []),
    ]);

describe.each(backends())('list plans at 100k tickets (%s)', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let ctx: Ctx;
  let ids: Awaited<ReturnType<typeof generateHistory>>;
  /** A large topic (every 10th ticket), a small one (every 1000th), and 100 tickets picked by id. */
  let topics: { large: string; small: string };
  let someIds: string[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const [ws] = (await database.executeSql(`insert into workspaces (name) values ('scale') returning id`)).rows;
    const workspaceId = String(ws!.id);
    ids = await generateHistory(database.executeSql, {
      workspaceId,
      tickets: TICKETS,
      now: new Date('2026-06-01T00:00:00Z'),
    });
    const topic = async (label: string, every: number, rest: number) => {
      const [row] = (
        await database.executeSql(
          `insert into insight_topics (workspace_id, label, centroid, embedder, first_seen_at, last_seen_at)
           values ($1, $2, '{1,0}', 'test', now(), now()) returning id`,
          [workspaceId, label],
        )
      ).rows;
      const topicId = String(row!.id);
      await database.executeSql(
        `insert into ticket_topics (ticket_id, workspace_id, topic_id, similarity, assigned_at)
         select id, workspace_id, $2, 0.9, now() from (
           select id, workspace_id, row_number() over (order by id) as n from tickets where workspace_id = $1
         ) t where n % $3 = $4`,
        [workspaceId, topicId, every, rest],
      );
      return topicId;
    };
    topics = { large: await topic('large', 10, 0), small: await topic('small', 1000, 1) };
    await database.executeSql('analyze ticket_topics');
    someIds = (
      await database.executeSql(
        'select id::text as id from tickets where workspace_id = $1 order by id limit 100 offset 5000',
        [workspaceId],
      )
    ).rows.map((r) => String(r.id));
    ctx = {
      db: database.db,
      workspaceId,
      actor: { type: 'system', id: null },
      now: () => new Date('2026-06-01T00:00:00Z'),
    };
  }, 600_000);
  afterAll(async () => {
    await database?.close();
    await database?.cleanup();
  });

  const explain = async (query: { toSQL(): { sql: string; params: unknown[] } }): Promise<PlanNode> => {
    const { sql, params } = query.toSQL();
    const { rows } = await database.executeSql(`explain (analyze, format json) ${sql}`, params);
    const plan = rows[0]!['QUERY PLAN'];
    return ((typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: PlanNode }[])[0]!.Plan;
  };

  it('has the generated tickets', async () => {
    const { rows } = await database.executeSql('select count(*)::int as n from tickets where workspace_id = $1', [
      ctx.workspaceId,
    ]);
    expect(rows[0]!.n).toBe(TICKETS);
  });

  const lists: [string, () => Record<string, unknown>][] = [
    ['newest first', () => ({})],
    ['by last update', () => ({ sort: 'updated' })],
    ['by intent', () => ({ intent: SYNTHETIC_INTENTS[7] })],
    ['by a rare intent', () => ({ intent: SYNTHETIC_INTENTS[49] })],
    ['by status (open)', () => ({ status: 'open' })],
    ['by statuses (new, open, pending)', () => ({ status: 'new,open,pending' })],
    ['by priority', () => ({ priority: 'urgent' })],
    ['by team', () => ({ teamId: ids.teamIds[2] })],
    ['by assignee', () => ({ assigneeId: ids.agentIds[3] })],
    ['unassigned', () => ({ assigneeId: 'none' })],
    ['by customer', () => ({ customerId: ids.customerIds[5] })],
    ['by account', () => ({ accountId: ids.accountIds[1] })],
    ['by tag', () => ({ tag: 'human_requested' })],
    ['resolved by AI (console view)', () => ({ status: 'resolved', tag: 'ai_answered', limit: '100' })],
    ['search', () => ({ q: 'refund' })],
    ['search for two words', () => ({ q: 'invoice crash' })],
    ['search with a status', () => ({ q: 'invoice crash', status: 'closed' })],
    ['intent and status', () => ({ intent: SYNTHETIC_INTENTS[3], status: 'open,pending' })],
    ['team and assignee', () => ({ teamId: ids.teamIds[1], assigneeId: ids.agentIds[1] })],
    ['by a large topic', () => ({ topicId: topics.large })],
    ['by a small topic', () => ({ topicId: topics.small })],
    ['by topic and status', () => ({ topicId: topics.large, status: 'open,pending' })],
    ['by 100 ids', () => ({ ids: someIds.join(',') })],
  ];
  it.each(lists)('ticket list %s uses an index', async (_name, query) => {
    const parsed: TicketListQuery = TicketListQuerySchema.parse(query());
    const plan = await explain(ticketListQuery(ctx, parsed));
    expect(problems(plan), describePlan(plan)).toEqual([]);
  });

  it('ticket list pages with a cursor use an index', async () => {
    const first = await ticketListQuery(ctx, TicketListQuerySchema.parse({ intent: SYNTHETIC_INTENTS[7], limit: '5' }));
    expect(first).toHaveLength(6);
    const last = first[4]!;
    const cursor = Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
    const plan = await explain(
      ticketListQuery(ctx, TicketListQuerySchema.parse({ intent: SYNTHETIC_INTENTS[7], cursor })),
    );
    expect(problems(plan), describePlan(plan)).toEqual([]);
  });

  it('topic pages with a cursor use an index', async () => {
    const first = await ticketListQuery(ctx, TicketListQuerySchema.parse({ topicId: topics.large, limit: '5' }));
    expect(first).toHaveLength(6);
    const last = first[4]!;
    const cursor = Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
    const plan = await explain(ticketListQuery(ctx, TicketListQuerySchema.parse({ topicId: topics.large, cursor })));
    expect(problems(plan), describePlan(plan)).toEqual([]);
  });

  it('answers the topic and ids filters as they say, newest first, page after page', async () => {
    const { rows } = await database.executeSql('select ticket_id::text as id from ticket_topics where topic_id = $1', [
      topics.small,
    ]);
    const ofTopic = new Set(rows.map((r) => String(r.id)));
    const seen: Ticket[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTickets(
        ctx,
        TicketListQuerySchema.parse({ topicId: topics.small, limit: '30', ...(cursor ? { cursor } : {}) }),
      );
      seen.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((t) => t.id).sort()).toEqual([...ofTopic].sort());
    const times = seen.map((t) => t.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const byIds = await listTickets(ctx, TicketListQuerySchema.parse({ ids: someIds.join(','), limit: '200' }));
    expect(byIds.data.map((t) => t.id).sort()).toEqual([...someIds].sort());
  });

  it('answers the account filter and the updated sort as they say', async () => {
    const byAccount = await listTickets(
      ctx,
      TicketListQuerySchema.parse({ accountId: ids.accountIds[1], limit: '200' }),
    );
    const { rows } = await database.executeSql('select id::text as id from customers where account_id = $1', [
      ids.accountIds[1],
    ]);
    const customersOfAccount = new Set(rows.map((r) => String(r.id)));
    expect(byAccount.data.length).toBeGreaterThan(0);
    expect(byAccount.data.every((t) => customersOfAccount.has(t.customerId!))).toBe(true);
    const first = await listTickets(ctx, TicketListQuerySchema.parse({ sort: 'updated', limit: '20' }));
    const next = await listTickets(
      ctx,
      TicketListQuerySchema.parse({ sort: 'updated', limit: '20', cursor: first.nextCursor! }),
    );
    const times = [...first.data, ...next.data].map((t) => t.updatedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set([...first.data, ...next.data].map((t) => t.id)).size).toBe(40);
  });

  const views: [string, () => { view: string; teamIds: string[] | null; agentId?: string }][] = [
    ['all', () => ({ view: 'all', teamIds: null })],
    ['mine', () => ({ view: 'mine', teamIds: null, agentId: ids.agentIds[0]! })],
    ['team', () => ({ view: 'team', teamIds: ids.teamIds.slice(0, 2) })],
    ['unassigned', () => ({ view: 'unassigned', teamIds: null })],
  ];
  it.each(views)('queue view %s uses an index', async (_name, view) => {
    const { teamIds, agentId, ...query } = view();
    const plan = await explain(
      queueQuery(ctx, { ...QueueQuerySchema.parse(query), agentId: agentId ?? null }, teamIds),
    );
    expect(problems(plan), describePlan(plan)).toEqual([]);
  });
});
