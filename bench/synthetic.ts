/**
 * Synthetic history in bulk, in SQL (generate_series), for the scale benchmark and the index test: accounts,
 * customers, teams, agents and `n` tickets with a realistic spread — most resolved or closed, a tenth still
 * waiting, ~50 intents of uneven size, a few tags, a searchable subject, a first customer message, and the
 * outcome a real history leaves (first response, resolution, reopens). Tickets are spread over `days` days
 * back from `now`. 100k tickets take seconds on a server, tens of seconds embedded.
 */
import type { ExecuteSql } from '../src/store/db.js';

export interface SyntheticOptions {
  workspaceId: string;
  tickets: number;
  /** Days of history, ending at `now`. */
  days?: number;
  now?: Date;
  /** Also writes one customer message per ticket (the detail view and the retrain read them). */
  messages?: boolean;
  /** Rows per INSERT statement (keeps each statement's memory bounded). */
  batch?: number;
  /** Gives a third of the tickets a page context: one of 8 features and up to two errors (ten kinds, with ids). */
  pages?: boolean;
}

export const SYNTHETIC_INTENTS = Array.from({ length: 50 }, (_, i) => `intent_${String(i).padStart(2, '0')}`);
const WORDS = [
  'refund',
  'invoice',
  'login',
  'password',
  'export',
  'crash',
  'slow',
  'billing',
  'upgrade',
  'cancel',
  'api',
  'webhook',
  'sso',
  'invite',
  'report',
  'mobile',
  'sync',
  'error',
  'charge',
  'plan',
];

/** Writes the synthetic rows; returns the ids of the teams, agents, customers and accounts (for filters). Two tickets
 * in five carry a human intent label. */
export async function generateHistory(
  sql: ExecuteSql,
  opts: SyntheticOptions,
): Promise<{ teamIds: string[]; agentIds: string[]; customerIds: string[]; accountIds: string[] }> {
  const ws = opts.workspaceId;
  const days = opts.days ?? 30;
  const now = (opts.now ?? new Date()).toISOString();
  const customers = Math.max(10, Math.round(opts.tickets / 20));
  const accountCount = Math.max(5, Math.round(customers / 10));
  await sql(
    `insert into accounts (workspace_id, external_id, name, tier, mrr)
     select $1, 'syn-acc-' || g, 'Account ' || g, (array['free','pro','enterprise'])[1 + g % 3], (g % 50) * 20
     from generate_series(1, $2::int) g on conflict do nothing`,
    [ws, accountCount],
  );
  await sql(
    `insert into customers (workspace_id, account_id, email, name, external_id)
     select $1, (select id from accounts a where a.workspace_id = $1 and a.external_id = 'syn-acc-' || (1 + g %
       $3::int)),
            'syn' || g || '@example.com', 'Customer ' || g, 'syn-cus-' || g
     from generate_series(1, $2::int) g on conflict do nothing`,
    [ws, customers, accountCount],
  );
  await sql(
    `insert into teams (workspace_id, name) select $1, 'Syn team ' || g from generate_series(1, 8) g on conflict ` +
      `do nothing`,
    [ws],
  );
  await sql(
    `insert into agents (workspace_id, name, email, status) select $1, 'Syn agent ' || g, 'syn-agent' || g || ` +
      `'@example.com', 'online'
     from generate_series(1, 24) g on conflict do nothing`,
    [ws],
  );
  const ids = async (table: string, where: string) =>
    (await sql(`select id from ${table} where workspace_id = $1 and ${where} order by id`, [ws])).rows.map((r) =>
      String(r.id),
    );
  const teamIds = await ids('teams', `name like 'Syn team %'`);
  const agentIds = await ids('agents', `email like 'syn-agent%'`);
  const customerIds = await ids('customers', `external_id like 'syn-cus-%'`);
  const accountIds = await ids('accounts', `external_id like 'syn-acc-%'`);
  const batch = opts.batch ?? 50_000;
  const [{ start } = { start: 0 }] = (
    await sql(`select count(*)::int as start from tickets where workspace_id = $1 and external_id like 'syn-%'`, [ws])
  ).rows as { start: number }[];
  for (let from = start + 1; from <= opts.tickets; from += batch) {
    const to = Math.min(opts.tickets, from + batch - 1);
    // u, v, w: independent uniform numbers per row: the age, the status, the intent (skewed: low numbers are frequent).
    await sql(
      `with g as (
         select g, (hashint4(g)::bigint - (-2147483648)) / 4294967296.0 as u, (hashint4(g * 7 + 3)::bigint -
           (-2147483648)) / 4294967296.0 as v,
                (hashint4(g * 13 + 5)::bigint - (-2147483648)) / 4294967296.0 as w
         from generate_series($2::int, $3::int) g
       ), r as (
         select g, u, v, w,
           $4::timestamptz - make_interval(secs => u * $5::int * 86400) as created,
           case when v < 0.05 then 'new' when v < 0.10 then 'open' when v < 0.13 then 'pending' when v < 0.14 then
             'snoozed' when v < 0.40 then 'resolved' else 'closed' end as status,
           (array[${SYNTHETIC_INTENTS.map((i) => `'${i}'`).join(',')}])[1 + least(49, floor(50 * power(w, 2))::int)] as
             intent,
           (array['low','normal','normal','normal','high','urgent'])[1 + (g % 6)] as priority,
           (array[${WORDS.map((w) => `'${w}'`).join(',')}])[1 + (g % ${WORDS.length})] as w1,
           (array[${WORDS.map((w) => `'${w}'`).join(',')}])[1 + ((g / 7) % ${WORDS.length})] as w2
         from g
       )
       insert into tickets (workspace_id, external_id, subject, status, priority, channel, customer_id, assignee_id,
                            team_id, intent, intent_confidence, tags, first_response_at, resolved_at, closed_at,
                            reopen_count, last_message_at, search, page_context,
                            created_at, updated_at)
       select $1, 'syn-' || g, 'Problem with ' || w1 || ' and ' || w2 || ' #' || g, status, priority,
              (array['email','widget','api','chat'])[1 + (g % 4)],
              ($6::uuid[])[1 + (g % array_length($6::uuid[], 1))],
              case when g % 10 < 7 then ($7::uuid[])[1 + (g % array_length($7::uuid[], 1))] end,
              ($8::uuid[])[1 + (g % array_length($8::uuid[], 1))],
              intent, case when g % 5 < 2 then null else 0.5 + v / 2 end, -- two in five labelled by a person
              case when status in ('resolved','closed') and g % 3 = 0 then array['ai_answered'] when g % 11 = 0 then
                array['human_requested'] else '{}'::text[] end,
              case when status <> 'new' then created + interval '20 minutes' * (1 + g % 5) end,
              case when status in ('resolved','closed') then created + interval '3 hours' * (1 + g % 7) end,
              case when status = 'closed' then created + interval '1 day' + interval '3 hours' * (1 + g % 7) end,
              case when g % 17 = 0 then 1 else 0 end,
              created,
              setweight(to_tsvector('english', 'Problem with ' || w1 || ' and ' || w2), 'A'),
              case when $9::boolean and g % 3 = 0 then jsonb_build_object(
                'featureId', 'feature-' || (g / 3) % 8, 'route', '/page/' || (g / 3) % 8,
                'recentErrors', case when g % 2 = 0 then jsonb_build_array(
                  'Run ' || g || ' failed at app.js:' || (g % 90) || ':3',
                  'Error kind ' || (g / 6) % 10 || ' for ' || g)
                else '[]'::jsonb end) end,
              created, created + interval '3 hours' * (1 + g % 7)
       from r`,
      [ws, from, to, now, days, customerIds, agentIds, teamIds, opts.pages ?? false],
    );
    if (opts.messages) {
      await sql(
        `insert into messages (workspace_id, ticket_id, author_type, author_id, body_text, created_at)
         select t.workspace_id, t.id, 'customer', t.customer_id, t.subject || '. It happened again today, please help.',
           t.created_at
         from tickets t where t.workspace_id = $1 and t.external_id in (select 'syn-' || g from generate_series($2::int,
           $3::int) g)`,
        [ws, from, to],
      );
    }
  }
  await sql('analyze tickets');
  await sql('analyze customers');
  if (opts.messages) await sql('analyze messages');
  return { teamIds, agentIds, customerIds, accountIds };
}

/** Twenty topics in the workspace, each ticket in one (by a hash of its id); the rollups' triggers apply each one. */
export async function assignSyntheticTopics(sql: ExecuteSql, workspaceId: string): Promise<void> {
  await sql(
    `insert into insight_topics (workspace_id, label, centroid, embedder, first_seen_at, last_seen_at)
     select $1, 'Topic ' || g, array[1, g]::real[], 'bench', now() - interval '40 days', now() from
       generate_series(1, 20) g`,
    [workspaceId],
  );
  await sql(
    `insert into ticket_topics (ticket_id, workspace_id, topic_id, similarity, assigned_at)
     select t.id, t.workspace_id, (array(select id from insight_topics where workspace_id = $1 order by label))[1 +
       abs(hashtext(t.id::text)) % 20], 0.9, now()
     from tickets t where t.workspace_id = $1`,
    [workspaceId],
  );
}
