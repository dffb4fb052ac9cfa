CREATE TABLE "config_versions" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION deskmind_bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ws uuid;
  team uuid;
BEGIN
  IF TG_TABLE_NAME = 'workspaces' THEN
    IF TG_OP = 'DELETE' THEN
      DELETE FROM config_versions WHERE workspace_id = OLD.id;
      RETURN NULL;
    END IF;
    ws := NEW.id;
  ELSIF TG_TABLE_NAME = 'team_members' THEN
    IF TG_OP = 'DELETE' THEN team := OLD.team_id; ELSE team := NEW.team_id; END IF;
    SELECT t.workspace_id INTO ws FROM teams t WHERE t.id = team;
  ELSIF TG_OP = 'DELETE' THEN
    ws := OLD.workspace_id;
  ELSE
    ws := NEW.workspace_id;
  END IF;
  IF ws IS NOT NULL THEN
    INSERT INTO config_versions (workspace_id, version) VALUES (ws, 1)
      ON CONFLICT (workspace_id) DO UPDATE SET version = config_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER workspaces_config_version AFTER UPDATE OR DELETE ON workspaces FOR EACH ROW EXECUTE FUNCTION deskmind_bump_config_version();
--> statement-breakpoint
CREATE TRIGGER integration_settings_config_version AFTER INSERT OR UPDATE OR DELETE ON integration_settings FOR EACH ROW EXECUTE FUNCTION deskmind_bump_config_version();
--> statement-breakpoint
CREATE TRIGGER routing_rules_config_version AFTER INSERT OR UPDATE OR DELETE ON routing_rules FOR EACH ROW EXECUTE FUNCTION deskmind_bump_config_version();
--> statement-breakpoint
CREATE TRIGGER teams_config_version AFTER INSERT OR UPDATE OR DELETE ON teams FOR EACH ROW EXECUTE FUNCTION deskmind_bump_config_version();
--> statement-breakpoint
CREATE TRIGGER team_members_config_version AFTER INSERT OR UPDATE OR DELETE ON team_members FOR EACH ROW EXECUTE FUNCTION deskmind_bump_config_version();
--> statement-breakpoint
CREATE TRIGGER playbooks_config_version AFTER INSERT OR UPDATE OR DELETE ON playbooks FOR EACH ROW EXECUTE FUNCTION deskmind_bump_config_version();
--> statement-breakpoint
CREATE TRIGGER articles_config_version AFTER INSERT OR UPDATE OR DELETE ON articles FOR EACH ROW EXECUTE FUNCTION deskmind_bump_config_version();
