-- Every filter of the ticket list (and the queue) has an index that yields its rows newest first, so a page
-- reads about its own rows whatever the number of tickets (test/list-indexes.test.ts checks the plans).
-- The indexes they replace are prefixes of the new ones.
DROP INDEX "tickets_ws_status_idx";--> statement-breakpoint
DROP INDEX "tickets_assignee_idx";--> statement-breakpoint
DROP INDEX "tickets_customer_idx";--> statement-breakpoint
CREATE INDEX "tickets_ws_status_idx" ON "tickets" USING btree ("workspace_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_assignee_idx" ON "tickets" USING btree ("workspace_id","assignee_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_customer_idx" ON "tickets" USING btree ("workspace_id","customer_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_ws_intent_idx" ON "tickets" USING btree ("workspace_id","intent","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_ws_team_idx" ON "tickets" USING btree ("workspace_id","team_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_ws_priority_idx" ON "tickets" USING btree ("workspace_id","priority","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_ws_updated_idx" ON "tickets" USING btree ("workspace_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_tags_idx" ON "tickets" USING gin ("tags");--> statement-breakpoint
-- The queue's views (src/sla/queue.ts) over the tickets still waiting: small, whatever the history.
CREATE INDEX "tickets_queue_assignee_idx" ON "tickets" USING btree ("workspace_id","assignee_id") WHERE "status" in ('new', 'open', 'pending');--> statement-breakpoint
CREATE INDEX "tickets_queue_team_idx" ON "tickets" USING btree ("workspace_id","team_id") WHERE "status" in ('new', 'open', 'pending');--> statement-breakpoint
-- Bulk imports: one row per unfinished import of a file into a workspace, its counts moved on with each
-- committed chunk (so an interrupted import resumes after its last chunk), deleted with the last chunk.
CREATE TABLE "import_runs" (
	"workspace_id" uuid NOT NULL REFERENCES "workspaces"("id") ON DELETE cascade,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"total" integer NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"rejections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("workspace_id", "key")
);
