import { HUMAN_REQUESTED } from '../../domain/tags.js';
import type { Stage } from '../types.js';
import { asksForHuman, decide } from './policy.js';
import { customerText } from './understand.js';

/**
 * Decide: the policy that chooses between answering on the spot, drafting for a human (shadow mode) and
 * handing to a human, with every guardrail's verdict.
 */
export const decideStage: Stage<'decide'> = {
  name: 'decide',
  async run(input, earlier, ports) {
    const understood = earlier.understand?.result;
    const passages = earlier.retrieve?.result.passages ?? [];
    const intent = understood?.intent ?? null;
    const text = customerText(input);
    const windowMs = input.settings.repeatContactDays * 86_400_000;
    const repeatContacts = intent?.intent
      ? input.history.filter(
          (t) => t.intent === intent.intent && input.now.getTime() - t.createdAt.getTime() <= windowMs,
        ).length
      : 0;
    // Out of scope by the classifier's line: its top intent's answer playbook still lets the answer check decide.
    const top = intent?.outOfScope ? (intent.topIntent ?? null) : null;
    const topPlaybook = top ? await ports.playbook(input.workspaceId, top) : null;
    const playbook = intent?.intent
      ? await ports.playbook(input.workspaceId, intent.intent)
      : topPlaybook?.kind === 'answer'
        ? topPlaybook
        : null;
    const policy = decide({
      settings: input.settings,
      language: understood?.language ?? null,
      intent,
      sentiment: understood?.sentiment ?? null,
      text,
      tier: input.account?.tier ?? null,
      repeatContacts,
      reopenCount: input.ticket.reopenCount,
      aiReplies: input.messages.filter((m) => m.authorType === 'assistant' && m.visibility === 'public').length,
      humanRequested: input.ticket.tags.includes(HUMAN_REQUESTED) || asksForHuman(text),
      playbook,
      retrievalScore: passages[0]?.score ?? null,
    });
    const failed = policy.checks.find((c) => c.check === policy.reason);
    return {
      result: { ...policy, playbook },
      actions:
        policy.decision === 'hand_off'
          ? [{ type: 'hand_off', reason: policy.reason, detail: failed?.detail ?? policy.reason }]
          : [],
    };
  },
};
