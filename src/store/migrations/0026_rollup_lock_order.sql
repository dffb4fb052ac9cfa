-- Insight rollups take their rows in one order (0021's function, sorted). A ticket insert summing one ticket and
-- one summing several, or a worker's decisions, grouped the same keys in different orders (a hash aggregate's
-- order follows its estimated size), so two transactions could each hold a row the other needed: PostgreSQL then
-- rolled one back ("deadlock detected … while inserting index tuple … in relation insight_rollups").
CREATE OR REPLACE FUNCTION insight_rollup_apply(ids uuid[], sign integer, dims text[], as_topic boolean DEFAULT false, topic uuid DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  INSERT INTO insight_rollups AS r (workspace_id, grain, hour, dimension, key, tickets, open, resolved, reopened, sla_breached, escalated,
    sentiment_sum, sentiment_n, churn, first_response_ms, first_response_n, resolution_ms, resolution_n)
  SELECT f.workspace_id, g.grain, CASE g.grain WHEN 'h' THEN f.hour ELSE f.day END, f.dimension,
    CASE WHEN NOT as_topic THEN f.key WHEN f.dimension = 'topic' THEN topic::text WHEN f.dimension = 'topic.intent' THEN topic::text || ' ' || nullif(f.ticket_intent, '') ELSE f.key END,
    sign * count(*), sign * sum(f.open), sign * sum(f.resolved), sign * sum(f.reopened),
    sign * sum(f.sla_breached), sign * sum(f.escalated), sign * coalesce(sum(f.sentiment), 0), sign * count(f.sentiment),
    sign * sum(f.churn), sign * coalesce(sum(f.first_response_ms), 0), sign * count(f.first_response_ms),
    sign * coalesce(sum(f.resolution_ms), 0), sign * count(f.resolution_ms)
  FROM insight_ticket_facts f CROSS JOIN (VALUES ('h'), ('d')) g(grain)
  -- A workspace being deleted takes its rollups with it (trigger below): its tickets' cascade adds nothing back.
  WHERE f.ticket_id = ANY(ids) AND (dims IS NULL OR f.dimension = ANY(dims)) AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = f.workspace_id)
  GROUP BY 1, 2, 3, 4, 5
  -- Every statement takes its rollup rows in this one order (the grouping's own order depends on the plan, which
  -- depends on how many tickets it sums), so that two never wait for each other's rows in a cycle.
  ORDER BY 1, 4, 2, 3, 5
  ON CONFLICT (workspace_id, dimension, grain, hour, (key IS NULL), (coalesce(key, ''))) DO UPDATE SET
    tickets = r.tickets + excluded.tickets, open = r.open + excluded.open, resolved = r.resolved + excluded.resolved,
    reopened = r.reopened + excluded.reopened, sla_breached = r.sla_breached + excluded.sla_breached,
    escalated = r.escalated + excluded.escalated, sentiment_sum = r.sentiment_sum + excluded.sentiment_sum,
    sentiment_n = r.sentiment_n + excluded.sentiment_n, churn = r.churn + excluded.churn,
    first_response_ms = r.first_response_ms + excluded.first_response_ms, first_response_n = r.first_response_n + excluded.first_response_n,
    resolution_ms = r.resolution_ms + excluded.resolution_ms, resolution_n = r.resolution_n + excluded.resolution_n;
END $$;
