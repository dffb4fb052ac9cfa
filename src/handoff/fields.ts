/**
 * The fields of a handoff packet an agent can find missing, and that a question to the customer can ask about
 * again: the ask, the plan or tier, billing (state, invoice), errors, the page, the account (email, company),
 * the steps already tried, earlier tickets, the intent, and anything else. No dependencies: the console uses
 * the list and its labels as they are.
 */
export const PACKET_FIELDS = [
  'ask',
  'plan',
  'billing',
  'errors',
  'page',
  'account',
  'steps_tried',
  'history',
  'intent',
  'other',
] as const;
export type PacketField = (typeof PACKET_FIELDS)[number];

/** Each field in plain words. */
export const PACKET_FIELD_LABELS: Record<PacketField, string> = {
  ask: 'What the customer asks',
  plan: 'Plan or tier',
  billing: 'Billing or invoice',
  errors: 'Errors',
  page: 'Page',
  account: 'Account or email',
  steps_tried: 'Steps already tried',
  history: 'Earlier tickets',
  intent: 'Intent',
  other: 'Something else',
};
