/** Tags and markers with a meaning to the system. */

/** A ticket whose customer asked for a human: the assistant never answers it again. */
export const HUMAN_REQUESTED = 'human_requested';
/** A ticket the assistant answered (resolved pending the customer's reaction). */
export const AI_ANSWERED = 'ai_answered';
/** The first line of an assistant's internal note holding a shadow-mode draft. */
export const DRAFT_PREFIX = 'Suggested reply (awaiting approval):\n\n';
