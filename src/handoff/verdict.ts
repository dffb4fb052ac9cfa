/**
 * The agent's one-click verdict on a handoff packet: it had what they needed, or it was missing some fields
 * (from a fixed list, `PACKET_FIELDS`, with an optional short note). One per person and ticket; a second
 * replaces the first. Pure schemas; the operation is src/tickets/record-handoff-verdict.ts.
 */
import { z } from 'zod';
import { Timestamp } from '../domain/schemas.js';
import { PACKET_FIELDS } from './fields.js';
import { PacketFieldSchema } from './snapshot.js';

export const HANDOFF_VERDICTS = ['had_what_i_needed', 'missing'] as const;

/** Longest note on a verdict, in characters. */
export const VERDICT_NOTE_CHARS = 500;

/** `POST /tickets/:id/handoff-verdict`: `missing` names at least one field, and only with the verdict `missing`. */
export const HandoffVerdictInputSchema = z
  .object({
    verdict: z.enum(HANDOFF_VERDICTS),
    missing: z.array(PacketFieldSchema).max(PACKET_FIELDS.length).optional(),
    note: z.string().trim().max(VERDICT_NOTE_CHARS).optional(),
  })
  .strict()
  .superRefine((v, issue) => {
    if (v.verdict === 'missing' && !v.missing?.length)
      issue.addIssue({ code: 'custom', path: ['missing'], message: 'Say which fields were missing (at least one)' });
    if (v.verdict === 'had_what_i_needed' && v.missing?.length)
      issue.addIssue({ code: 'custom', path: ['missing'], message: 'Only a "missing" verdict names missing fields' });
  });
export type HandoffVerdictInput = z.infer<typeof HandoffVerdictInputSchema>;

/** A verdict as stored: whose it is, what it says, when it was last given. */
export const HandoffVerdictSchema = z.object({
  ticketId: z.uuid(),
  verdict: z.enum(HANDOFF_VERDICTS),
  missing: z.array(PacketFieldSchema),
  note: z.string().nullable(),
  by: z.object({ type: z.string(), id: z.string() }),
  at: Timestamp,
});
export type HandoffVerdict = z.infer<typeof HandoffVerdictSchema>;
