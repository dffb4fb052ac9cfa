-- Insight rollups (issue 20): per workspace, hour, dimension and key, the sums the insights read (trends, health,
-- topics, anomalies), kept exact by triggers in the same transaction as every change of a ticket or of what a
-- ticket's facts come from (its topic, its first understanding, its customer's account, the account's tier).
-- `insight_ticket_facts` is the one definition of a ticket's contribution: the triggers apply it (−1 before a
-- change, +1 after), the backfill below sums it, and readers use it for the partial hours at a window's edges.
CREATE TABLE "insight_rollups" (
	"workspace_id" uuid NOT NULL,
	-- 'h': the hour starting at `hour`; 'd': the UTC day starting at `hour` (long windows read days).
	"grain" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"dimension" text NOT NULL,
	"key" text,
	"tickets" integer DEFAULT 0 NOT NULL,
	"open" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"sla_breached" integer DEFAULT 0 NOT NULL,
	"escalated" integer DEFAULT 0 NOT NULL,
	"sentiment_sum" numeric DEFAULT 0 NOT NULL,
	"sentiment_n" integer DEFAULT 0 NOT NULL,
	"churn" integer DEFAULT 0 NOT NULL,
	"first_response_ms" bigint DEFAULT 0 NOT NULL,
	"first_response_n" integer DEFAULT 0 NOT NULL,
	"resolution_ms" bigint DEFAULT 0 NOT NULL,
	"resolution_n" integer DEFAULT 0 NOT NULL
);--> statement-breakpoint
-- One row per key, the key "none" (null) included (an expression rather than NULLS NOT DISTINCT: PostgreSQL 13 and 14).
CREATE UNIQUE INDEX "insight_rollups_uq" ON "insight_rollups" USING btree ("workspace_id","dimension","grain","hour",("key" IS NULL),(coalesce("key", '')));--> statement-breakpoint
-- Each ticket's first understanding that carries a sentiment (it reflects how the ticket was opened), kept as
-- decisions are written (decisions are append-only; a ticket's deletion takes its row).
CREATE TABLE "insight_ticket_sentiments" (
	"ticket_id" uuid PRIMARY KEY NOT NULL REFERENCES "tickets"("id") ON DELETE CASCADE,
	"compound" double precision NOT NULL,
	"churn" boolean NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
INSERT INTO "insight_ticket_sentiments" (ticket_id, compound, churn, decided_at)
SELECT DISTINCT ON (x.ticket_id) x.ticket_id, (x.result -> 'sentiment' ->> 'compound')::float8,
  coalesce((x.result -> 'sentiment' -> 'churnRisk') = 'true'::jsonb, false), x.created_at
FROM decisions x
WHERE x.stage = 'understand' AND x.ok AND jsonb_typeof(x.result -> 'sentiment' -> 'compound') = 'number'
ORDER BY x.ticket_id, x.created_at, x.id;--> statement-breakpoint
CREATE VIEW "insight_ticket_facts" AS
SELECT t.id AS ticket_id, t.workspace_id, t.created_at,
  to_timestamp(floor(extract(epoch FROM t.created_at) / 3600) * 3600) AS hour,
  to_timestamp(floor(extract(epoch FROM t.created_at) / 86400) * 86400) AS day,
  d.dimension, d.key,
  (t.status IN ('new', 'open', 'pending', 'snoozed'))::int AS open,
  (t.resolved_at IS NOT NULL)::int AS resolved,
  t.reopen_count AS reopened,
  (t.first_response_breached_at IS NOT NULL OR t.resolution_breached_at IS NOT NULL)::int AS sla_breached,
  (t.sla_escalated_at IS NOT NULL)::int AS escalated,
  t.intent AS ticket_intent,
  s.compound::numeric AS sentiment,
  coalesce(s.churn::int, 0) AS churn,
  round(extract(epoch FROM t.first_response_at - t.created_at) * 1000)::bigint AS first_response_ms,
  round(extract(epoch FROM t.resolved_at - t.created_at) * 1000)::bigint AS resolution_ms
FROM tickets t
LEFT JOIN customers c ON c.id = t.customer_id
LEFT JOIN accounts a ON a.id = c.account_id
LEFT JOIN ticket_topics tt ON tt.ticket_id = t.id
LEFT JOIN insight_ticket_sentiments s ON s.ticket_id = t.id
CROSS JOIN LATERAL (VALUES
  ('all', NULL::text),
  ('intent', t.intent),
  ('topic', tt.topic_id::text),
  ('tier', a.tier),
  ('feature', coalesce(t.page_context ->> 'featureId', t.page_context ->> 'route')),
  ('account', c.account_id::text),
  ('channel', t.channel),
  ('topic.intent', tt.topic_id::text || ' ' || nullif(t.intent, ''))
) d(dimension, key);--> statement-breakpoint
-- Adds `sign` × the contributions of tickets `ids` (in dimensions `dims`, all when null) as the tables are now;
-- with `as_topic`, as if each ticket were in topic `topic` (null: in none).
CREATE FUNCTION insight_rollup_apply(ids uuid[], sign integer, dims text[], as_topic boolean DEFAULT false, topic uuid DEFAULT NULL)
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
  ON CONFLICT (workspace_id, dimension, grain, hour, (key IS NULL), (coalesce(key, ''))) DO UPDATE SET
    tickets = r.tickets + excluded.tickets, open = r.open + excluded.open, resolved = r.resolved + excluded.resolved,
    reopened = r.reopened + excluded.reopened, sla_breached = r.sla_breached + excluded.sla_breached,
    escalated = r.escalated + excluded.escalated, sentiment_sum = r.sentiment_sum + excluded.sentiment_sum,
    sentiment_n = r.sentiment_n + excluded.sentiment_n, churn = r.churn + excluded.churn,
    first_response_ms = r.first_response_ms + excluded.first_response_ms, first_response_n = r.first_response_n + excluded.first_response_n,
    resolution_ms = r.resolution_ms + excluded.resolution_ms, resolution_n = r.resolution_n + excluded.resolution_n;
END $$;--> statement-breakpoint
-- Tickets: inserts per statement (a bulk import or a history generated in SQL is summed at once), changes of a
-- column a fact comes from per row (−1 before, +1 after), deletes per row.
CREATE FUNCTION insight_rollup_tickets_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM insight_rollup_apply(ARRAY(SELECT id FROM inserted), 1, NULL);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION insight_rollup_ticket_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM insight_rollup_apply(ARRAY[OLD.id], -1, NULL);
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE FUNCTION insight_rollup_ticket_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM insight_rollup_apply(ARRAY[NEW.id], 1, NULL);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_tickets_ins AFTER INSERT ON tickets REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION insight_rollup_tickets_inserted();--> statement-breakpoint
CREATE TRIGGER insight_rollup_tickets_upd_before BEFORE UPDATE ON tickets FOR EACH ROW WHEN (
  OLD.status IS DISTINCT FROM NEW.status OR OLD.intent IS DISTINCT FROM NEW.intent OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
  OR OLD.page_context IS DISTINCT FROM NEW.page_context OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.reopen_count IS DISTINCT FROM NEW.reopen_count
  OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
  OR OLD.first_response_breached_at IS DISTINCT FROM NEW.first_response_breached_at OR OLD.resolution_breached_at IS DISTINCT FROM NEW.resolution_breached_at
  OR OLD.sla_escalated_at IS DISTINCT FROM NEW.sla_escalated_at OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id
) EXECUTE FUNCTION insight_rollup_ticket_before();--> statement-breakpoint
CREATE TRIGGER insight_rollup_tickets_upd_after AFTER UPDATE ON tickets FOR EACH ROW WHEN (
  OLD.status IS DISTINCT FROM NEW.status OR OLD.intent IS DISTINCT FROM NEW.intent OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
  OR OLD.page_context IS DISTINCT FROM NEW.page_context OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.reopen_count IS DISTINCT FROM NEW.reopen_count
  OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
  OR OLD.first_response_breached_at IS DISTINCT FROM NEW.first_response_breached_at OR OLD.resolution_breached_at IS DISTINCT FROM NEW.resolution_breached_at
  OR OLD.sla_escalated_at IS DISTINCT FROM NEW.sla_escalated_at OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id
) EXECUTE FUNCTION insight_rollup_ticket_after();--> statement-breakpoint
CREATE TRIGGER insight_rollup_tickets_del BEFORE DELETE ON tickets FOR EACH ROW EXECUTE FUNCTION insight_rollup_ticket_before();--> statement-breakpoint
-- A ticket's topic, per statement (a re-clustering moves thousands at once): −1 as it was (grouped by the old
-- topic), +1 as it is. An upsert's updated rows come in its update statement's transition tables.
CREATE FUNCTION insight_rollup_topics_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_topic uuid;
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT ticket_id FROM new_rows);
    PERFORM insight_rollup_apply(ids, -1, ARRAY['topic', 'topic.intent'], true, NULL);
  ELSE
    FOR old_topic, ids IN SELECT topic_id, array_agg(ticket_id) FROM old_rows GROUP BY topic_id LOOP
      PERFORM insight_rollup_apply(ids, -1, ARRAY['topic', 'topic.intent'], true, old_topic);
    END LOOP;
    ids := ARRAY(SELECT ticket_id FROM old_rows);
  END IF;
  PERFORM insight_rollup_apply(ids, 1, ARRAY['topic', 'topic.intent']);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_topics_ins AFTER INSERT ON ticket_topics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_rollup_topics_changed();--> statement-breakpoint
CREATE TRIGGER insight_rollup_topics_upd AFTER UPDATE ON ticket_topics REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_rollup_topics_changed();--> statement-breakpoint
CREATE TRIGGER insight_rollup_topics_del AFTER DELETE ON ticket_topics REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_rollup_topics_changed();--> statement-breakpoint
-- A ticket's first understanding (its sentiment and churn threat): an earlier one than the kept one replaces it.
CREATE FUNCTION insight_rollup_decision_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF jsonb_typeof(NEW.result -> 'sentiment' -> 'compound') IS DISTINCT FROM 'number' THEN RETURN NULL; END IF;
  IF EXISTS (SELECT 1 FROM insight_ticket_sentiments s WHERE s.ticket_id = NEW.ticket_id AND s.decided_at <= NEW.created_at) THEN RETURN NULL; END IF;
  PERFORM insight_rollup_apply(ARRAY[NEW.ticket_id], -1, NULL);
  INSERT INTO insight_ticket_sentiments (ticket_id, compound, churn, decided_at)
  VALUES (NEW.ticket_id, (NEW.result -> 'sentiment' ->> 'compound')::float8, coalesce((NEW.result -> 'sentiment' -> 'churnRisk') = 'true'::jsonb, false), NEW.created_at)
  ON CONFLICT (ticket_id) DO UPDATE SET compound = excluded.compound, churn = excluded.churn, decided_at = excluded.decided_at;
  PERFORM insight_rollup_apply(ARRAY[NEW.ticket_id], 1, NULL);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_decisions_ins AFTER INSERT ON decisions FOR EACH ROW WHEN (NEW.stage = 'understand' AND NEW.ok) EXECUTE FUNCTION insight_rollup_decision_inserted();--> statement-breakpoint
-- A customer's account and an account's tier: every ticket of theirs moves between keys.
CREATE FUNCTION insight_rollup_customer_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM insight_rollup_apply(ARRAY(SELECT t.id FROM tickets t WHERE t.workspace_id = NEW.workspace_id AND t.customer_id = NEW.id),
    CASE WHEN TG_WHEN = 'BEFORE' THEN -1 ELSE 1 END, ARRAY['account', 'tier']);
  IF TG_WHEN = 'BEFORE' THEN RETURN NEW; END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_customers_before BEFORE UPDATE ON customers FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION insight_rollup_customer_change();--> statement-breakpoint
CREATE TRIGGER insight_rollup_customers_after AFTER UPDATE ON customers FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION insight_rollup_customer_change();--> statement-breakpoint
CREATE FUNCTION insight_rollup_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM insight_rollup_apply(ARRAY(SELECT t.id FROM customers c JOIN tickets t ON t.workspace_id = c.workspace_id AND t.customer_id = c.id WHERE c.account_id = NEW.id),
    CASE WHEN TG_WHEN = 'BEFORE' THEN -1 ELSE 1 END, ARRAY['tier']);
  IF TG_WHEN = 'BEFORE' THEN RETURN NEW; END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_accounts_before BEFORE UPDATE ON accounts FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION insight_rollup_account_change();--> statement-breakpoint
CREATE TRIGGER insight_rollup_accounts_after AFTER UPDATE ON accounts FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION insight_rollup_account_change();--> statement-breakpoint
-- A deleted customer's tickets (an account's customers) lose it before the row goes, while the facts their
-- contributions are computed from still exist (the foreign key's own SET NULL would run after it is gone).
CREATE FUNCTION insight_rollup_customer_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tickets SET customer_id = NULL WHERE workspace_id = OLD.workspace_id AND customer_id = OLD.id;
  RETURN OLD;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_customers_del BEFORE DELETE ON customers FOR EACH ROW EXECUTE FUNCTION insight_rollup_customer_deleted();--> statement-breakpoint
CREATE FUNCTION insight_rollup_account_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE customers SET account_id = NULL WHERE account_id = OLD.id;
  RETURN OLD;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_accounts_del BEFORE DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION insight_rollup_account_deleted();--> statement-breakpoint
CREATE FUNCTION insight_rollup_workspace_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM insight_rollups WHERE workspace_id = OLD.id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_rollup_workspaces_del AFTER DELETE ON workspaces FOR EACH ROW EXECUTE FUNCTION insight_rollup_workspace_deleted();--> statement-breakpoint
-- A topic's newest tickets (its examples) read from an index, whatever the topic's size: each assignment carries
-- its ticket's creation time, set from the ticket as it is written.
ALTER TABLE "ticket_topics" ADD COLUMN "ticket_created_at" timestamp with time zone;--> statement-breakpoint
UPDATE "ticket_topics" tt SET "ticket_created_at" = t.created_at FROM tickets t WHERE t.id = tt.ticket_id;--> statement-breakpoint
CREATE INDEX "ticket_topics_topic_created_idx" ON "ticket_topics" USING btree ("workspace_id","topic_id","ticket_created_at","ticket_id");--> statement-breakpoint
CREATE FUNCTION insight_ticket_topic_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.ticket_created_at := (SELECT t.created_at FROM tickets t WHERE t.id = NEW.ticket_id);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_ticket_topics_created BEFORE INSERT OR UPDATE OF ticket_id ON ticket_topics FOR EACH ROW EXECUTE FUNCTION insight_ticket_topic_created();--> statement-breakpoint
-- Backfill: the history already stored.
INSERT INTO insight_rollups (workspace_id, grain, hour, dimension, key, tickets, open, resolved, reopened, sla_breached, escalated,
  sentiment_sum, sentiment_n, churn, first_response_ms, first_response_n, resolution_ms, resolution_n)
SELECT f.workspace_id, g.grain, CASE g.grain WHEN 'h' THEN f.hour ELSE f.day END, f.dimension, f.key, count(*), sum(f.open), sum(f.resolved), sum(f.reopened), sum(f.sla_breached), sum(f.escalated),
  coalesce(sum(f.sentiment), 0), count(f.sentiment), sum(f.churn), coalesce(sum(f.first_response_ms), 0), count(f.first_response_ms),
  coalesce(sum(f.resolution_ms), 0), count(f.resolution_ms)
FROM insight_ticket_facts f CROSS JOIN (VALUES ('h'), ('d')) g(grain)
GROUP BY 1, 2, 3, 4, 5;
