-- Insight rollups gain the `error` dimension (issue 20): each normalised error message of a ticket's page context
-- is a key, so that anomaly detection reads its weeks of hourly history from the rollups instead of every ticket.
-- `insight_normalise_error` is the SQL form of normaliseError (src/insights/data.ts; test/insight-rollups.test.ts
-- checks that both agree); anomaly detection reads the recent tickets' errors through `insight_ticket_errors`
-- too, so its recent counts and its history use one definition. A ticket without errors has no key here.
CREATE FUNCTION insight_normalise_error(message text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT left(btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(message,
      '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'gi'),
      '\y0x[0-9a-f]+\y', '<hex>', 'gi'),
      '\y[0-9a-f]{16,}\y', '<hex>', 'gi'),
      ':\d+', ':<n>', 'g'),
      '\y(line|col|column|row|offset|position|pos) \d+', '\1 <n>', 'gi'),
      '(?<![A-Za-z])\d{4,}(?![A-Za-z])', '<n>', 'g'),
    '\s+', ' ', 'g')), 300)
$$;--> statement-breakpoint
-- A page context's distinct normalised errors, sorted (tickets with the same errors group); null when none.
CREATE FUNCTION insight_ticket_errors(page_context jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(page_context -> 'recentErrors') = 'array' THEN (
    SELECT array_agg(DISTINCT n ORDER BY n)
    FROM jsonb_array_elements_text(page_context -> 'recentErrors') e, insight_normalise_error(e) n WHERE n <> ''
  ) END
$$;--> statement-breakpoint
CREATE OR REPLACE VIEW "insight_ticket_base" AS
SELECT t.id AS ticket_id, t.workspace_id, t.created_at,
  to_timestamp(floor(extract(epoch FROM t.created_at) / 3600) * 3600) AS hour,
  to_timestamp(floor(extract(epoch FROM t.created_at) / 86400) * 86400) AS day,
  t.intent, tt.topic_id, a.tier, coalesce(t.page_context ->> 'featureId', t.page_context ->> 'route') AS feature,
  c.account_id, t.channel,
  (t.status IN ('new', 'open', 'pending', 'snoozed'))::int AS open,
  (t.resolved_at IS NOT NULL)::int AS resolved,
  t.reopen_count AS reopened,
  (t.first_response_breached_at IS NOT NULL OR t.resolution_breached_at IS NOT NULL)::int AS sla_breached,
  (t.sla_escalated_at IS NOT NULL)::int AS escalated,
  s.compound::numeric AS sentiment,
  coalesce(s.churn::int, 0) AS churn,
  round(extract(epoch FROM t.first_response_at - t.created_at) * 1000)::bigint AS first_response_ms,
  round(extract(epoch FROM t.resolved_at - t.created_at) * 1000)::bigint AS resolution_ms,
  insight_ticket_errors(t.page_context) AS errors
FROM tickets t
LEFT JOIN customers c ON c.id = t.customer_id
LEFT JOIN accounts a ON a.id = c.account_id
LEFT JOIN ticket_topics tt ON tt.ticket_id = t.id
LEFT JOIN insight_ticket_sentiments s ON s.ticket_id = t.id;--> statement-breakpoint
CREATE FUNCTION insight_ticket_dimensions(intent text, topic uuid, tier text, feature text, account uuid, channel text, errors text[])
RETURNS TABLE (dimension text, key text) LANGUAGE sql IMMUTABLE AS $$
  SELECT * FROM (VALUES ('all', NULL::text), ('intent', intent), ('topic', topic::text), ('tier', tier),
    ('feature', feature), ('account', account::text), ('channel', channel),
    ('topic.intent', topic::text || ' ' || nullif(intent, ''))) v
  UNION ALL
  SELECT 'error', e FROM unnest(errors) e
$$;--> statement-breakpoint
CREATE OR REPLACE VIEW "insight_ticket_facts" AS
SELECT b.ticket_id, b.workspace_id, b.created_at, b.hour, b.day, d.dimension, d.key, b.open, b.resolved, b.reopened,
  b.sla_breached, b.escalated, b.intent AS ticket_intent, b.sentiment, b.churn, b.first_response_ms, b.resolution_ms
FROM insight_ticket_base b
CROSS JOIN LATERAL insight_ticket_dimensions(b.intent, b.topic_id, b.tier, b.feature, b.account_id, b.channel, b.errors) d;--> statement-breakpoint
DROP FUNCTION insight_ticket_dimensions(text, uuid, text, text, uuid, text);--> statement-breakpoint
-- 0024's function with the tickets' errors among the keys alike tickets share, its rows taken in one order.
CREATE OR REPLACE FUNCTION insight_rollup_apply(ids uuid[], sign integer, dims text[], as_topic boolean DEFAULT false, topic uuid DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  INSERT INTO insight_rollups AS r (workspace_id, grain, hour, dimension, key, tickets, open, resolved, reopened, sla_breached, escalated,
    sentiment_sum, sentiment_n, churn, first_response_ms, first_response_n, resolution_ms, resolution_n)
  WITH alike AS (
    -- Tickets of one hour with the same keys.
    SELECT b.workspace_id, b.hour, b.day, b.intent, CASE WHEN as_topic THEN topic ELSE b.topic_id END AS topic_id, b.tier,
      b.feature, b.account_id, b.channel, b.errors, count(*) AS tickets, sum(b.open) AS open, sum(b.resolved) AS resolved,
      sum(b.reopened) AS reopened, sum(b.sla_breached) AS sla_breached, sum(b.escalated) AS escalated,
      coalesce(sum(b.sentiment), 0) AS sentiment_sum, count(b.sentiment) AS sentiment_n, sum(b.churn) AS churn,
      coalesce(sum(b.first_response_ms), 0) AS first_response_ms, count(b.first_response_ms) AS first_response_n,
      coalesce(sum(b.resolution_ms), 0) AS resolution_ms, count(b.resolution_ms) AS resolution_n
    FROM insight_ticket_base b
    -- A workspace being deleted takes its rollups with it (0021's trigger): its tickets' cascade adds nothing back.
    WHERE b.ticket_id = ANY(ids) AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = b.workspace_id)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  ), hours AS (
    SELECT a.workspace_id, a.hour, a.day, d.dimension, d.key, sum(a.tickets) AS tickets, sum(a.open) AS open,
      sum(a.resolved) AS resolved, sum(a.reopened) AS reopened, sum(a.sla_breached) AS sla_breached,
      sum(a.escalated) AS escalated, sum(a.sentiment_sum) AS sentiment_sum, sum(a.sentiment_n) AS sentiment_n,
      sum(a.churn) AS churn, sum(a.first_response_ms) AS first_response_ms, sum(a.first_response_n) AS first_response_n,
      sum(a.resolution_ms) AS resolution_ms, sum(a.resolution_n) AS resolution_n
    FROM alike a
    CROSS JOIN LATERAL insight_ticket_dimensions(a.intent, a.topic_id, a.tier, a.feature, a.account_id, a.channel, a.errors) d
    WHERE dims IS NULL OR d.dimension = ANY(dims)
    GROUP BY 1, 2, 3, 4, 5
  ), grains AS (
    SELECT workspace_id, 'h' AS grain, hour, dimension, key, tickets, open, resolved, reopened, sla_breached, escalated,
      sentiment_sum, sentiment_n, churn, first_response_ms, first_response_n, resolution_ms, resolution_n
    FROM hours
    UNION ALL
    SELECT workspace_id, 'd', day, dimension, key, sum(tickets), sum(open), sum(resolved), sum(reopened), sum(sla_breached),
      sum(escalated), sum(sentiment_sum), sum(sentiment_n), sum(churn), sum(first_response_ms), sum(first_response_n),
      sum(resolution_ms), sum(resolution_n)
    FROM hours GROUP BY workspace_id, day, dimension, key
  )
  SELECT workspace_id, grain, hour, dimension, key, sign * tickets, sign * open, sign * resolved, sign * reopened,
    sign * sla_breached, sign * escalated, sign * sentiment_sum, sign * sentiment_n, sign * churn, sign * first_response_ms,
    sign * first_response_n, sign * resolution_ms, sign * resolution_n
  FROM grains
  -- Every statement takes its rollup rows in one order (the grouping's order follows the plan, which follows how many
  -- tickets it sums), so that two never wait for each other's rows in a cycle (a deadlock).
  ORDER BY 1, 4, 2, 3, 5
  ON CONFLICT (workspace_id, dimension, grain, hour, (key IS NULL), (coalesce(key, ''))) DO UPDATE SET
    tickets = r.tickets + excluded.tickets, open = r.open + excluded.open, resolved = r.resolved + excluded.resolved,
    reopened = r.reopened + excluded.reopened, sla_breached = r.sla_breached + excluded.sla_breached,
    escalated = r.escalated + excluded.escalated, sentiment_sum = r.sentiment_sum + excluded.sentiment_sum,
    sentiment_n = r.sentiment_n + excluded.sentiment_n, churn = r.churn + excluded.churn,
    first_response_ms = r.first_response_ms + excluded.first_response_ms, first_response_n = r.first_response_n + excluded.first_response_n,
    resolution_ms = r.resolution_ms + excluded.resolution_ms, resolution_n = r.resolution_n + excluded.resolution_n;
END $$;--> statement-breakpoint
-- Backfill: the error keys of the tickets already written (the other dimensions are unchanged).
SELECT insight_rollup_apply(array_agg(id), 1, ARRAY['error'])
FROM tickets WHERE insight_ticket_errors(page_context) IS NOT NULL GROUP BY workspace_id;
