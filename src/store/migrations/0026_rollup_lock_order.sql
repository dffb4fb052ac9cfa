-- Insight rollups take their rows in one order. A ticket insert summing one ticket and one summing several, or a
-- worker's decisions, grouped the same keys in different orders (a hash aggregate's order follows its estimated
-- size), so two transactions could each hold a row the other needed: PostgreSQL then rolled one back ("deadlock
-- detected … while inserting index tuple … in relation insight_rollups"). 0025's function (grouped, with the error
-- dimension) already sorts its rows; this restates it so that a database migrated before 0025 ends with it too.
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
END $$;
