/** Autonomous resolution building blocks: playbooks, actions, answer composition, the LLM path, grounding and
 * redaction. */
export * from './schemas.js';
export * from './playbooks.js';
export * from './actions.js';
export * from './template.js';
export * from './compose.js';
export * from './grounding.js';
export * from './llm.js';
export * from './redact.js';
export * from './verification.js';
