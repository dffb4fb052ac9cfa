import type { AgentRole, ApiKeyRole } from '../domain/enums.js';

/** Who is calling: a workspace API key or a logged-in agent. */
export type Principal =
  | { kind: 'api_key'; workspaceId: string; keyId: string; role: ApiKeyRole }
  | { kind: 'agent'; workspaceId: string; agentId: string; role: AgentRole };
