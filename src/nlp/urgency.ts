/**
 * Urgency of a ticket from what it says (outage, data loss, security words), how it says it
 * (sentiment, anger, anxiety, churn, legal threats), who says it (tier, MRR, billing state, how often
 * they wrote lately) and the classified intent. The score is additive: a baseline plus one weight per
 * factor that applied, each listed in `contributions`, clamped to [0, 1].
 */
import { z } from 'zod';
import { analyseSentiment, SentimentResultSchema, type SentimentResult } from './sentiment.js';
import { clamp, excerpt, negatedBefore, normalise, round } from './text.js';

/** Score at or above which a ticket is urgent. */
export const URGENT_THRESHOLD = 0.75;
/** Score at or above which a ticket is high priority. */
export const HIGH_THRESHOLD = 0.5;
/** Score at or above which a ticket is normal priority (below it: low). */
export const NORMAL_THRESHOLD = 0.25;
/** Score every ticket starts from. */
export const BASELINE_SCORE = 0.2;

/** Ticket priority. */
export const PrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
/** Ticket priority. */
export type Priority = z.infer<typeof PrioritySchema>;

/** What `assessUrgency` reads; every field is optional. */
export const UrgencyInputSchema = z.object({
  /** Ticket text (subject and body). */
  text: z.string().optional(),
  /** Intent id from the classifier (taxonomy ids such as `outage`, `security_privacy`). */
  intent: z.string().optional(),
  /** Classifier confidence in 0..1 (default 1 when an intent is given). */
  intentConfidence: z.number().min(0).max(1).optional(),
  /** Sentiment of the text; computed from `text` when missing. */
  sentiment: SentimentResultSchema.optional(),
  /** Account tier: free | pro | enterprise, or any other plan name. */
  tier: z.string().optional(),
  /** Monthly recurring revenue of the account, in the workspace currency. */
  mrr: z.number().min(0).optional(),
  /** Billing state: active | trialing | past_due | unpaid | cancelled | ... */
  billingState: z.string().optional(),
  /** How many tickets the customer opened in the last 7 days (including this one). */
  recentTicketCount: z.number().int().min(0).optional(),
});
/** What `assessUrgency` reads; every field is optional. */
export type UrgencyInput = z.infer<typeof UrgencyInputSchema>;

/** One factor that moved the score. */
export const UrgencyContributionSchema = z.object({
  factor: z.string(),
  /** Added to the score (negative lowers it). */
  weight: z.number(),
  detail: z.string(),
});
/** One factor that moved the score. */
export type UrgencyContribution = z.infer<typeof UrgencyContributionSchema>;

/** Result of `assessUrgency`. */
export const UrgencyResultSchema = z.object({
  score: z.number().min(0).max(1),
  priority: PrioritySchema,
  /** Baseline first, then every factor that applied, strongest first. */
  contributions: z.array(UrgencyContributionSchema),
});
/** Result of `assessUrgency`. */
export type UrgencyResult = z.infer<typeof UrgencyResultSchema>;

type Signal = 'outage' | 'data_loss' | 'security' | 'payment_failure' | 'wide_impact' | 'explicit_urgency';

interface TextSignalDef {
  signal: Signal;
  weight: number;
  re: RegExp;
  label: string;
}

/** Text signals. Each fires once, on its first match that is not negated ("not down"). */
const TEXT_SIGNALS: readonly TextSignalDef[] = [
  {
    signal: 'outage',
    weight: 0.4,
    label: 'outage words',
    re: new RegExp(
      String.raw`\b(?:outage|downtime|(?:is|are|was|were|went|goes|been|be|all|completely|totally|entirely|` +
        String.raw`still|whole (?:site|app|platform)|site|app|service|platform|server|servers|api|dashboard|` +
        String.raw`production|prod|everything)\s+(?:is\s+|are\s+)?down\b|down\s+(?:again|for (?:everyone|all|` +
        String.raw`us|hours|\d+)|since)|(?:5\d\d|500|502|503|504)\s+(?:errors?|status|responses?|bad gateway|` +
        String.raw`gateway)|(?:internal server|bad gateway|gateway timeout|service unavailable) errors?|` +
        String.raw`service unavailable|not (?:loading|responding|working) (?:for|at all)|(?:can'?t|cannot|` +
        String.raw`unable to|nobody can|no one can|none of (?:us|our \w+) can)\s+(?:log ?in|login|sign ?in|` +
        String.raw`access)\s+(?:for|at all)|(?:nobody|no one|none of (?:us|our \w+))\s+(?:can|is able to)` +
        String.raw`\s+(?:log ?in|login|sign ?in|access)|completely (?:broken|unusable)|(?:site|app|platform|` +
        String.raw`service) is (?:unreachable|unusable|offline)|everything is broken)`,
      'i',
    ),
  },
  {
    signal: 'data_loss',
    weight: 0.35,
    label: 'data-loss words',
    re: new RegExp(
      String.raw`\b(?:lost\s+(?:all\s+)?(?:of\s+)?(?:my|our|the)\s+(?:\w+\s+)?(?:data|files|records|contacts|` +
        String.raw`tickets|history|projects?|documents|customers|emails|work)|(?:data|files|records|tickets|` +
        String.raw`contacts|history|everything)\s+(?:(?:is|are|has|have)\s+)?(?:been\s+|just\s+)?(?:gone|` +
        String.raw`missing|deleted|wiped|disappeared|vanished|erased|corrupted)|data loss|deleted ` +
        String.raw`(?:everything|all (?:of )?(?:my|our))|wiped (?:out )?(?:all|everything|my|our)|corrupt(?:ed)` +
        String.raw`? (?:data|database|files?))\b`,
      'i',
    ),
  },
  {
    signal: 'security',
    weight: 0.35,
    label: 'security words',
    re: new RegExp(
      String.raw`\b(?:hacked|hacker|breach(?:ed)?|compromised|phishing|phish|malware|ransomware|account ` +
        String.raw`takeover|unauthori[sz]ed (?:access|login|logins|charges?|user|users|activity)|suspicious ` +
        String.raw`(?:login|logins|activity|email|emails)|someone (?:else )?(?:logged|is logged|has access|` +
        String.raw`accessed|got into)|data (?:leak|leaked|exposed)|leaked|exposed (?:api )?(?:keys?|tokens?|` +
        String.raw`credentials|passwords?|data)|vulnerabilit(?:y|ies)|security (?:issue|incident|hole|flaw|` +
        String.raw`problem)|stolen (?:credentials|password|account|card)|identity theft|xss|sql injection|csrf)` +
        String.raw`\b`,
      'i',
    ),
  },
  {
    signal: 'payment_failure',
    weight: 0.12,
    label: 'payment-failure words',
    re: new RegExp(
      String.raw`\b(?:card (?:was |got |is )?(?:declined|rejected)|payment (?:failed|failing|declined|` +
        String.raw`didn'?t go through|did not go through|was rejected|bounced)|failed (?:payment|charge|` +
        String.raw`transaction)|(?:charged|billed) (?:twice|double|two times|three times)|double(?:-| )charged|` +
        String.raw`can'?t (?:pay|update (?:my|the) card))\b`,
      'i',
    ),
  },
  {
    signal: 'wide_impact',
    weight: 0.12,
    label: 'many people affected',
    re: new RegExp(
      String.raw`\b(?:for everyone|for all (?:of )?(?:our |my )?(?:users|customers|agents|team|staff|` +
        String.raw`employees)|all (?:of )?(?:our |my )?(?:users|customers|agents|staff|employees) (?:are|` +
        String.raw`can'?t|cannot)|(?:entire|whole) (?:team|company|organi[sz]ation|org|office)|company-?wide|` +
        String.raw`in production|(?:our|my) customers (?:can'?t|cannot|are unable))\b`,
      'i',
    ),
  },
  {
    signal: 'explicit_urgency',
    weight: 0.1,
    label: 'asks for urgency',
    re: /\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|emergency|critical|sev ?1|p1|immediately|right away|time[- ]sensitive)\b/i,
  },
];

const GLOBAL_SIGNALS = TEXT_SIGNALS.map((d) => ({ ...d, global: new RegExp(d.re.source, 'gi') }));

/** Intent id → weight (scaled by the classifier confidence) and the text signal it corroborates. */
const INTENT_WEIGHTS: Readonly<Record<string, { weight: number; signal?: Signal }>> = {
  outage: { weight: 0.35, signal: 'outage' },
  security_privacy: { weight: 0.25, signal: 'security' },
  billing_failed_payment: { weight: 0.12, signal: 'payment_failure' },
  account_access: { weight: 0.1 },
  two_factor: { weight: 0.08 },
  bug_report: { weight: 0.05 },
  billing_refund: { weight: 0.04 },
  billing_cancellation: { weight: 0.06 },
  data_export: { weight: 0.02 },
  password_reset: { weight: 0 },
  integrations: { weight: 0.02 },
  billing_invoice: { weight: -0.04 },
  billing_plan_change: { weight: -0.02 },
  how_to: { weight: -0.06 },
  feature_request: { weight: -0.1 },
  other: { weight: 0 },
};

/** Tier name (lower case) → weight. Unknown tiers add nothing. */
const TIER_WEIGHTS: Readonly<Record<string, number>> = {
  enterprise: 0.15,
  business: 0.1,
  scale: 0.1,
  premium: 0.08,
  pro: 0.05,
  team: 0.05,
  growth: 0.05,
  starter: 0,
  basic: 0,
  free: -0.03,
  trial: 0,
};

/** MRR floors, highest first, and their weights. */
const MRR_STEPS: ReadonlyArray<readonly [number, number]> = [
  [5000, 0.15],
  [1000, 0.1],
  [250, 0.05],
];

/** Billing state (lower case) → weight. */
const BILLING_WEIGHTS: Readonly<Record<string, { weight: number; detail: string }>> = {
  past_due: { weight: 0.1, detail: 'payment is past due: the account risks suspension' },
  unpaid: { weight: 0.1, detail: 'invoice unpaid: the account risks suspension' },
  incomplete: { weight: 0.05, detail: 'subscription payment incomplete' },
  trialing: { weight: 0.03, detail: 'trial account: a quick answer helps conversion' },
  cancelled: { weight: -0.03, detail: 'subscription cancelled' },
  canceled: { weight: -0.03, detail: 'subscription cancelled' },
};

/** Maps a score to a priority with the named thresholds. */
export function priorityForScore(score: number): Priority {
  if (score >= URGENT_THRESHOLD) return 'urgent';
  if (score >= HIGH_THRESHOLD) return 'high';
  if (score >= NORMAL_THRESHOLD) return 'normal';
  return 'low';
}

function textSignals(text: string): Map<Signal, UrgencyContribution> {
  const out = new Map<Signal, UrgencyContribution>();
  for (const def of GLOBAL_SIGNALS) {
    for (const m of text.matchAll(def.global)) {
      if (negatedBefore(text, m.index, 2)) continue;
      out.set(def.signal, { factor: def.signal, weight: def.weight, detail: `${def.label}: "${excerpt(m[0], 60)}"` });
      break;
    }
  }
  return out;
}

function sentimentContributions(s: SentimentResult, computed: boolean): UrgencyContribution[] {
  const out: UrgencyContribution[] = [];
  const src = computed ? ' (computed from the text)' : '';
  if (s.compound <= -0.05) {
    out.push({
      factor: 'negative_sentiment',
      weight: round(0.12 * -s.compound),
      detail: `sentiment ${s.label}, compound ${s.compound}${src}`,
    });
  } else if (s.compound >= 0.5) {
    out.push({
      factor: 'positive_sentiment',
      weight: -0.03,
      detail: `sentiment positive, compound ${s.compound}${src}`,
    });
  }
  const cuesOf = (kind: string) =>
    s.cues
      .filter((c) => c.kind === kind)
      .map((c) => c.cue)
      .join(', ');
  if (s.emotions.anger >= 0.3) {
    out.push({
      factor: 'anger',
      weight: round(0.12 * s.emotions.anger),
      detail: `anger ${s.emotions.anger} (${cuesOf('anger') || cuesOf('legal')})`,
    });
  }
  if (s.emotions.frustration >= 0.3) {
    out.push({
      factor: 'frustration',
      weight: round(0.08 * s.emotions.frustration),
      detail: `frustration ${s.emotions.frustration} (${cuesOf('frustration')})`,
    });
  }
  if (s.emotions.anxiety >= 0.3) {
    out.push({
      factor: 'anxiety',
      weight: round(0.06 * s.emotions.anxiety),
      detail: `anxiety ${s.emotions.anxiety} (${cuesOf('anxiety')})`,
    });
  }
  const legal = s.cues.filter((c) => c.kind === 'legal');
  if (legal.length) {
    out.push({
      factor: 'legal_threat',
      weight: 0.15,
      detail: `legal threat: ${legal.map((c) => `"${c.evidence}"`).join(', ')}`,
    });
  }
  if (s.churnRisk) {
    const churn = s.cues.filter((c) => c.kind === 'churn');
    out.push({
      factor: 'churn_risk',
      weight: 0.1,
      detail: `churn risk: ${churn.map((c) => `"${c.evidence}"`).join(', ')}`,
    });
  }
  return out;
}

/**
 * Scores how urgent a ticket is (0..1), maps the score to a priority with `URGENT_THRESHOLD`,
 * `HIGH_THRESHOLD` and `NORMAL_THRESHOLD`, and lists every contribution. Pure; when `sentiment` is
 * missing and `text` is given, the sentiment is computed from the text.
 */
export function assessUrgency(input: UrgencyInput): UrgencyResult {
  const contributions: UrgencyContribution[] = [];
  const text = input.text ? normalise(input.text.slice(0, 20_000)) : '';

  const signals = text ? textSignals(text) : new Map<Signal, UrgencyContribution>();
  contributions.push(...signals.values());

  if (input.intent) {
    const id = input.intent.toLowerCase();
    const def = INTENT_WEIGHTS[id];
    const conf = input.intentConfidence ?? 1;
    if (def && def.weight !== 0) {
      const corroborates = def.signal !== undefined && signals.has(def.signal);
      // When the text already showed the same signal, the intent only adds half: no double counting.
      const weight = round(def.weight * conf * (corroborates ? 0.5 : 1));
      contributions.push({
        factor: `intent_${id}`,
        weight,
        detail: `intent ${id} (confidence ${round(conf, 2)})${corroborates ? ', corroborates the text' : ''}`,
      });
    }
  }

  const sentiment = input.sentiment ?? (text ? analyseSentiment(text) : undefined);
  if (sentiment) contributions.push(...sentimentContributions(sentiment, input.sentiment === undefined));

  if (input.tier) {
    const tier = input.tier.toLowerCase();
    const w = TIER_WEIGHTS[tier];
    if (w) contributions.push({ factor: 'tier', weight: w, detail: `${tier} tier` });
  }
  if (input.mrr !== undefined) {
    const step = MRR_STEPS.find(([floor]) => input.mrr! >= floor);
    if (step) contributions.push({ factor: 'high_mrr', weight: step[1], detail: `MRR ${input.mrr} ≥ ${step[0]}` });
  }
  if (input.billingState) {
    const state = input.billingState.toLowerCase().replace(/[\s-]+/g, '_');
    const b = BILLING_WEIGHTS[state];
    if (b) contributions.push({ factor: `billing_${state}`, weight: b.weight, detail: b.detail });
  }
  const recent = input.recentTicketCount ?? 0;
  if (recent >= 2) {
    const w = recent >= 5 ? 0.15 : recent >= 3 ? 0.1 : 0.05;
    contributions.push({
      factor: 'recent_tickets',
      weight: w,
      detail: `${recent} tickets from this customer in the last 7 days`,
    });
  }

  contributions.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  contributions.unshift({ factor: 'baseline', weight: BASELINE_SCORE, detail: 'every ticket starts here' });
  const score = round(clamp(contributions.reduce((s, c) => s + c.weight, 0)));
  return { score, priority: priorityForScore(score), contributions };
}
