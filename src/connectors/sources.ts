/**
 * The enrichment sources of a workspace: those of the registry's connectors that its integration settings
 * enable (billing, product usage, the CRM when configured).
 */
import type { EnrichmentSource } from '../pipeline/ports/enrichment.js';
import type { SourceDeps } from './connector.js';
import { ALL } from './registry.js';
import { loadIntegrationConfig, sectionOf } from './settings.js';

/** The enrichment sources of a workspace. */
export function integrationSources(deps: SourceDeps): (workspaceId: string) => Promise<EnrichmentSource[]> {
  return async (workspaceId) => {
    const settings = await loadIntegrationConfig(deps.database.db, workspaceId);
    return ALL.flatMap((c) => c.enrichment?.(sectionOf(settings, c), deps, workspaceId) ?? []);
  };
}
