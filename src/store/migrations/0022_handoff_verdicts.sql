-- The agent's verdict on a ticket's handoff packet (issue 21): did it have what they needed, and if not, which
-- fields were missing. One row per person (agent session or API key) and ticket: a second verdict replaces the first.
CREATE TABLE "handoff_verdicts" (
	"workspace_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"verdict" text NOT NULL,
	"missing" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "handoff_verdicts_pk" PRIMARY KEY ("ticket_id","actor_type","actor_id")
);
--> statement-breakpoint
ALTER TABLE "handoff_verdicts" ADD CONSTRAINT "handoff_verdicts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoff_verdicts" ADD CONSTRAINT "handoff_verdicts_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "handoff_verdicts_ws_idx" ON "handoff_verdicts" USING btree ("workspace_id","ticket_id");
