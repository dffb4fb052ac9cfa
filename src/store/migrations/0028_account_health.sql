-- Account health at any size (issue 20): each account's signals and score are kept in `insight_account_health`, so
-- that a read takes the riskiest accounts from an index instead of summing every account's rollups (947 ms p99 at
-- 1M tickets and 5,000 accounts). A row holds the signals as of the workspace's `insight_account_health_state.as_of`;
-- a read first recomputes (src/insights/health.ts: refreshAccountHealth) the accounts that may have changed since:
-- those marked in `insight_account_health_marks` by the triggers below (a change of their tickets' rollups or of the
-- account row), and those with a ticket that crossed a window's edge (30 or 60 days, 3 days for open tickets) between
-- `as_of` and now. The marks are appended, never updated, so writers never wait for each other on them.
CREATE TABLE "insight_account_health" (
	"account_id" uuid PRIMARY KEY NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
	"workspace_id" uuid NOT NULL,
	-- The signals scoreHealth takes (src/insights/health.ts), as the read returns them.
	"signals" jsonb NOT NULL,
	-- The order of the read: risk (0 high, 1 medium, 2 low), revenue at stake, MRR, score.
	"risk_rank" smallint NOT NULL,
	"revenue_at_risk" double precision NOT NULL,
	"mrr" double precision NOT NULL,
	"score" double precision NOT NULL
);--> statement-breakpoint
CREATE INDEX "insight_account_health_rank_idx" ON "insight_account_health" USING btree ("workspace_id","risk_rank","revenue_at_risk" DESC,"mrr" DESC,"score","account_id");--> statement-breakpoint
CREATE TABLE "insight_account_health_state" (
	"workspace_id" uuid PRIMARY KEY NOT NULL REFERENCES "workspaces"("id") ON DELETE CASCADE,
	"as_of" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE TABLE "insight_account_health_marks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"workspace_id" uuid NOT NULL REFERENCES "workspaces"("id") ON DELETE CASCADE,
	"account_id" uuid NOT NULL
);--> statement-breakpoint
CREATE INDEX "insight_account_health_marks_ws_idx" ON "insight_account_health_marks" USING btree ("workspace_id","id");--> statement-breakpoint
-- One account's rollups by key (a refresh of a few accounts reads theirs, not every account's days).
CREATE INDEX "insight_rollups_account_idx" ON "insight_rollups" USING btree ("workspace_id","key","grain","hour") WHERE "dimension" = 'account';--> statement-breakpoint
-- Every change of an account's daily rollups (a ticket written, changed, moved between accounts or deleted) marks
-- the account, per statement (an import's chunk marks each of its accounts once). An upsert's updated rows come in
-- its update statement's transition table.
CREATE FUNCTION insight_account_health_rollups_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO insight_account_health_marks (workspace_id, account_id)
  SELECT DISTINCT workspace_id, key::uuid FROM changed_rows WHERE dimension = 'account' AND grain = 'd' AND key IS NOT NULL;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_account_health_rollups_ins AFTER INSERT ON insight_rollups REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_account_health_rollups_changed();--> statement-breakpoint
CREATE TRIGGER insight_account_health_rollups_upd AFTER UPDATE ON insight_rollups REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_account_health_rollups_changed();--> statement-breakpoint
-- A new account, or a change of one (billing state, MRR, usage figures, name): marked.
CREATE FUNCTION insight_account_health_accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO insight_account_health_marks (workspace_id, account_id) SELECT workspace_id, id FROM changed_rows;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER insight_account_health_accounts_ins AFTER INSERT ON accounts REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_account_health_accounts_changed();--> statement-breakpoint
CREATE TRIGGER insight_account_health_accounts_upd AFTER UPDATE ON accounts REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_account_health_accounts_changed();
