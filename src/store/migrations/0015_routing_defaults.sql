-- Skills an agent should have for a playbook's intent (routing prefers agents who have them).
ALTER TABLE "playbooks" ADD COLUMN "skills" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- Every workspace gets a default (triage) team, so that no ticket is left without a team.
INSERT INTO "teams" ("workspace_id", "name", "description")
SELECT w."id", 'Triage', 'Tickets no other team fits: uncertain or mixed intents, anything not mapped to a team'
FROM "workspaces" w
WHERE NOT EXISTS (SELECT 1 FROM "teams" t WHERE t."workspace_id" = w."id" AND t."id"::text = w."settings"->'routing'->>'defaultTeamId')
ON CONFLICT ("workspace_id", "name") DO NOTHING;--> statement-breakpoint
UPDATE "workspaces" w
SET "settings" = jsonb_set(w."settings", '{routing}', coalesce(w."settings"->'routing', '{}'::jsonb) || jsonb_build_object('defaultTeamId', t."id"::text))
FROM "teams" t
WHERE t."workspace_id" = w."id" AND t."name" = 'Triage'
  AND NOT EXISTS (SELECT 1 FROM "teams" d WHERE d."workspace_id" = w."id" AND d."id"::text = w."settings"->'routing'->>'defaultTeamId');
