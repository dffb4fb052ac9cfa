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
