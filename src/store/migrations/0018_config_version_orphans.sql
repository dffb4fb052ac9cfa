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
  -- A workspace being deleted takes its children with it: their triggers must not leave a row behind.
  IF ws IS NOT NULL AND (TG_OP <> 'DELETE' OR EXISTS (SELECT 1 FROM workspaces w WHERE w.id = ws)) THEN
    INSERT INTO config_versions (workspace_id, version) VALUES (ws, 1)
      ON CONFLICT (workspace_id) DO UPDATE SET version = config_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DELETE FROM config_versions c WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = c.workspace_id);
