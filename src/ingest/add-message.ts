import type { AuthorType } from '../domain/enums.js';
import type { MessageInput } from '../domain/schemas.js';
import { pipelineJob } from '../jobs/queue.js';
import type { Actor } from '../store/ctx.js';
import { addMessage as addTicketMessage } from '../tickets/add-message.js';
import { recordDraftDiscarded } from '../tickets/record-draft-discarded.js';
import { inRetriedTransaction } from '../store/transaction.js';
import type { IngestDeps } from './deps.js';

/** Who writes a message. */
export type MessageAuthor = { type: AuthorType; id: string | null };

/**
 * Adds a message to a ticket; a customer's public message queues the pipeline again, in the same transaction
 * as the message (it is never stored without its run). An agent's public reply while the assistant's draft
 * waits discards the draft (an outcome the learner counts), in that transaction too.
 */
export async function addMessage(
  deps: IngestDeps,
  workspaceId: string,
  actor: Actor,
  ticketId: string,
  input: MessageInput,
  author: MessageAuthor,
) {
  const rerun = author.type === 'customer' && input.visibility === 'public';
  const result = await inRetriedTransaction(deps, workspaceId, actor, async (ctx) => {
    const added = await addTicketMessage(ctx, ticketId, input, author);
    if (rerun) await deps.jobs.enqueuePipeline({ workspaceId, ticketId, trigger: 'customer_message' }, ctx.db);
    if (author.type === 'agent' && input.visibility === 'public') await recordDraftDiscarded(ctx, ticketId);
    return added;
  });
  if (rerun) deps.jobs.wake(pipelineJob.name);
  return result;
}
