-- Topics join online (issue 20): every ticket without a topic waits in `insight_topic_pending` until a join
-- (src/insights/topics.ts: `joinTopics`, run by the topics job after a pipeline commit and by the sweep) claims it.
-- A join deletes the rows it claims in the transaction that writes their topics, so a ticket joins exactly once
-- and a crash leaves it waiting; the rows the triggers below keep make "which tickets have no topic" an index read
-- instead of a scan of the window's tickets.
CREATE TABLE "insight_topic_pending" (
	"ticket_id" uuid PRIMARY KEY NOT NULL REFERENCES "tickets"("id") ON DELETE CASCADE,
	"workspace_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "insight_topic_pending_ws_idx" ON "insight_topic_pending" USING btree ("workspace_id","created_at");--> statement-breakpoint
INSERT INTO "insight_topic_pending" (ticket_id, workspace_id, created_at)
SELECT t.id, t.workspace_id, t.created_at FROM tickets t
WHERE NOT EXISTS (SELECT 1 FROM ticket_topics tt WHERE tt.ticket_id = t.id);--> statement-breakpoint
-- New tickets wait (per statement: a bulk import adds its rows at once).
CREATE FUNCTION insight_topic_pending_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO insight_topic_pending (ticket_id, workspace_id, created_at)
  SELECT id, workspace_id, created_at FROM inserted ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_topic_pending_tickets_ins AFTER INSERT ON tickets REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION insight_topic_pending_tickets();--> statement-breakpoint
-- A ticket given a topic (by a join, a re-clustering or any other writer) waits no more.
CREATE FUNCTION insight_topic_pending_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM insight_topic_pending p USING new_rows n WHERE p.ticket_id = n.ticket_id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_topic_pending_topics_ins AFTER INSERT ON ticket_topics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_topic_pending_assigned();--> statement-breakpoint
-- A ticket that loses its topic (the topic deleted, e.g. when the embedder changes) waits again; a deleted ticket
-- (whose topic row goes with it) is no longer there to join.
CREATE FUNCTION insight_topic_pending_unassigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO insight_topic_pending (ticket_id, workspace_id, created_at)
  SELECT t.id, t.workspace_id, t.created_at FROM old_rows o JOIN tickets t ON t.id = o.ticket_id ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_topic_pending_topics_del AFTER DELETE ON ticket_topics REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_topic_pending_unassigned();
--> statement-breakpoint
-- Reads of the partial hours at a window's edges (src/insights/rollups.ts) cost what the tickets of those hours
-- cost, not what the workspace's customers cost: a ticket's topic, account, tier and first sentiment are looked up
-- by key for each ticket (0025's joins let the planner hash every customer of the workspace for ~1,000 tickets of
-- an hour: 80 of the 90 ms of a topic read at 1M tickets, 50k customers). Same columns and values as 0025's view.
CREATE OR REPLACE VIEW "insight_ticket_base" AS
SELECT t.id AS ticket_id, t.workspace_id, t.created_at,
  to_timestamp(floor(extract(epoch FROM t.created_at) / 3600) * 3600) AS hour,
  to_timestamp(floor(extract(epoch FROM t.created_at) / 86400) * 86400) AS day,
  t.intent,
  (SELECT tt.topic_id FROM ticket_topics tt WHERE tt.ticket_id = t.id) AS topic_id,
  (SELECT a.tier FROM customers c JOIN accounts a ON a.id = c.account_id WHERE c.id = t.customer_id) AS tier,
  coalesce(t.page_context ->> 'featureId', t.page_context ->> 'route') AS feature,
  (SELECT c.account_id FROM customers c WHERE c.id = t.customer_id) AS account_id,
  t.channel,
  (t.status IN ('new', 'open', 'pending', 'snoozed'))::int AS open,
  (t.resolved_at IS NOT NULL)::int AS resolved,
  t.reopen_count AS reopened,
  (t.first_response_breached_at IS NOT NULL OR t.resolution_breached_at IS NOT NULL)::int AS sla_breached,
  (t.sla_escalated_at IS NOT NULL)::int AS escalated,
  (SELECT s.compound::numeric FROM insight_ticket_sentiments s WHERE s.ticket_id = t.id) AS sentiment,
  coalesce((SELECT s.churn::int FROM insight_ticket_sentiments s WHERE s.ticket_id = t.id), 0) AS churn,
  round(extract(epoch FROM t.first_response_at - t.created_at) * 1000)::bigint AS first_response_ms,
  round(extract(epoch FROM t.resolved_at - t.created_at) * 1000)::bigint AS resolution_ms,
  insight_ticket_errors(t.page_context) AS errors
FROM tickets t;
