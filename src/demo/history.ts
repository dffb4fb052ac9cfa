/**
 * The demo's past: 90 days of what Pipewise customers asked and how the team settled it, generated
 * deterministically (a seeded random) from the demo's own wordings. The story it tells: a steady stream over every
 * starter intent, a run-history incident (a spike of one bug, on one app version, a week before today), and an
 * account (Globex) sliding toward churn (more tickets, angrier, about failures and cancelling). What the assistant
 * made of each ticket is not made up here: ./seed-history.ts runs the pipeline's stages on them. Pure: no I/O.
 */
import type { Ticket } from '../domain/schemas.js';
import { rng } from '../nlp/intent/numeric.js';

/** A contact of a demo account. */
export interface DemoCustomer {
  email: string;
  name: string;
  accountExternalId: string;
}

interface Wording {
  intent: string;
  subject: string;
  text: string;
}

/** Ways Pipewise customers ask, per intent (the history picks one at random and varies its details). */
const WORDINGS: Wording[] = [
  { intent: 'password_reset', subject: 'Cannot log in', text: 'I forgot my password, how do I reset it?' },
  {
    intent: 'password_reset',
    subject: 'Password reset',
    text: 'The password reset email never arrived, can you help?',
  },
  { intent: 'account_access', subject: 'Locked out', text: 'My account is locked after too many login attempts.' },
  {
    intent: 'two_factor',
    subject: 'Lost my phone',
    text: 'I lost the phone with my two-factor codes, how do I log in?',
  },
  { intent: 'billing_invoice', subject: 'Invoice needed', text: 'Where can I download the invoice for last month?' },
  {
    intent: 'billing_invoice',
    subject: 'VAT on invoice',
    text: 'Our invoice is missing the VAT number, please add it.',
  },
  { intent: 'billing_plan_change', subject: 'Upgrade plan', text: 'How do I upgrade from Pro to Enterprise?' },
  { intent: 'billing_refund', subject: 'Refund please', text: 'We were charged twice this month, please refund one.' },
  { intent: 'billing_failed_payment', subject: 'Card declined', text: 'Our card payment failed, how do I update it?' },
  { intent: 'how_to', subject: 'Schedule a pipeline', text: 'How do I schedule a pipeline to run every night?' },
  { intent: 'how_to', subject: 'Retry a run', text: 'How can I retry a failed run without starting over?' },
  { intent: 'data_export', subject: 'Export runs', text: 'How do I export my run history as a CSV file?' },
  { intent: 'data_export', subject: 'Export via API', text: 'Can I export pipeline runs through the API?' },
  {
    intent: 'integrations',
    subject: 'Snowflake connector',
    text: 'How do I connect Pipewise to our Snowflake warehouse?',
  },
  { intent: 'integrations', subject: 'Webhook setup', text: 'Where do I configure a webhook when a run finishes?' },
  { intent: 'bug_report', subject: 'Editor glitch', text: 'The pipeline editor freezes when I drag a step.' },
  { intent: 'outage', subject: 'Runs failing', text: 'Every run fails with a 500 error since this morning.' },
  {
    intent: 'security_privacy',
    subject: 'Delete our data',
    text: 'Please delete all personal data of a former user (GDPR).',
  },
  // No one but Globex (below) talks of cancelling: account health reads that as a churn threat.
];

const INCIDENT: Wording[] = [
  {
    intent: 'bug_report',
    subject: 'Run history error',
    text: 'The Runs page shows an error and the run history is blank.',
  },
  {
    intent: 'bug_report',
    subject: 'Runs tab broken',
    text: 'Error on the Runs tab since the update, history does not load.',
  },
  { intent: 'bug_report', subject: 'Run history empty', text: 'Bug: clicking Runs gives an error and an empty list.' },
];

const CHURN: Wording[] = [
  { intent: 'outage', subject: 'Sync failing again', text: 'The warehouse sync failed again. This is unacceptable!!' },
  {
    intent: 'billing_cancellation',
    subject: 'Considering cancelling',
    text: 'If the sync keeps failing we will cancel our subscription. Very frustrated.',
  },
  { intent: 'bug_report', subject: 'Still broken', text: 'Third time reporting this: runs silently stop. Terrible.' },
];

const DETAILS = ['', ' Thanks!', ' It is blocking our team.', ' Any help appreciated.', ' We are on the EU region.'];

/** The people behind the named demo customers (the live tickets' senders) come first in their accounts. */
const NAMED: DemoCustomer[] = [
  { email: 'maria@initech.example', name: 'Maria Lopez', accountExternalId: 'acc_initech' },
  { email: 'bill@initech.example', name: 'Bill Lumbergh', accountExternalId: 'acc_initech' },
  { email: 'finance@globex.example', name: 'Hank Scorpio', accountExternalId: 'acc_globex' },
  { email: 'cto@globex.example', name: 'Frank Grimes', accountExternalId: 'acc_globex' },
  { email: 'ops@northwind.example', name: 'Nancy Davolio', accountExternalId: 'acc_northwind' },
  { email: 'andrew@northwind.example', name: 'Andrew Fuller', accountExternalId: 'acc_northwind' },
  { email: 'gavin@hooli.example', name: 'Gavin Belson', accountExternalId: 'acc_hooli' },
  { email: 'richard@piedpiper.example', name: 'Richard Hendricks', accountExternalId: 'acc_piedpiper' },
];

/** How many people write in from each account (a few hundred contacts: the same person rarely asks twice a week). */
const PEOPLE: Record<string, { domain: string; people: number }> = {
  acc_initech: { domain: 'initech.example', people: 60 },
  acc_hooli: { domain: 'hooli.example', people: 45 },
  acc_piedpiper: { domain: 'piedpiper.example', people: 35 },
  acc_northwind: { domain: 'northwind.example', people: 40 },
  acc_globex: { domain: 'globex.example', people: 12 },
};
const FIRST = ['Ana', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Luca'];
const LAST = ['Adler', 'Brooks', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Horvat', 'Ito', 'Jansen'];

/** The demo's customer contacts: the named ones, then generated people per account (deterministic). */
export function demoCustomers(): DemoCustomer[] {
  const out = [...NAMED];
  for (const [account, { domain, people }] of Object.entries(PEOPLE)) {
    for (let i = 0; out.filter((c) => c.accountExternalId === account).length < people; i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
      out.push({
        email: `${first}.${last}@${domain}`.toLowerCase(),
        name: `${first} ${last}`,
        accountExternalId: account,
      });
    }
  }
  return out;
}

const CUSTOMERS = demoCustomers();
const GLOBEX = CUSTOMERS.filter((c) => c.accountExternalId === 'acc_globex');
const OTHERS = CUSTOMERS.filter((c) => c.accountExternalId !== 'acc_globex');

const REPLY: Record<string, string> = {
  billing_refund: 'I have refunded the duplicate charge; it shows on your card within 5 days.',
  outage: 'We found the cause and deployed a fix; runs are healthy again.',
  bug_report: 'Thanks for the report, our engineers fixed it in the latest release.',
};
const DEFAULT_REPLY = 'Here is how to do it, step by step, from our help article. Let us know if anything is unclear.';

/**
 * A new question in the style of the history (for the live trickle): a wording with one of its details, from a
 * customer of a non-churning account.
 */
export function demoQuestion(rand: () => number): Pick<DemoTicket, 'subject' | 'text' | 'customer' | 'intent'> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const w = pick(WORDINGS);
  return { subject: w.subject, text: w.text + pick(DETAILS), customer: pick(OTHERS), intent: w.intent };
}

export interface DemoHistoryOptions {
  /** The history ends here (the demo's start). */
  now: Date;
  /** Days of history (default 90). */
  days?: number;
  /** Average tickets per day outside the incident (default 24: about 2,000 tickets in 90 days). */
  perDay?: number;
  seed?: number;
}

const DAY = 86_400_000;

/** What a customer of the history asked and what the team did about it (what the assistant did: ./seed-history.ts). */
export interface DemoTicket {
  /** `demo-h-<n>`: seeding twice is a no-op. */
  externalId: string;
  subject: string;
  text: string;
  customer: DemoCustomer;
  channel: 'widget' | 'email' | 'api';
  tags: string[];
  /** The intent a person would label it with (the truth the assistant's guesses are judged by). */
  intent: string;
  createdAt: Date;
  pageContext: Ticket['pageContext'];
  /** Settled tickets are done with; the last two days still hold work: replied to, or waiting for a first answer. */
  state: 'settled' | 'replied' | 'waiting';
  /** What a person answers. */
  reply: string;
  /** After a person's answer the customer writes back that it did not work (a reopen). */
  comesBack: boolean;
}

/** The demo's past, oldest first: what customers asked and how the team settled it, deterministic for a seed. */
export function demoHistory(opts: DemoHistoryOptions): DemoTicket[] {
  const days = opts.days ?? 90;
  const perDay = opts.perDay ?? 24;
  const rand = rng(opts.seed ?? 19);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const start = opts.now.getTime() - days * DAY;
  const incidentDay = days - 7;
  const rows: DemoTicket[] = [];
  for (let day = 0; day < days; day++) {
    const weekend = new Date(start + day * DAY).getUTCDay() % 6 === 0;
    const base = Math.round(perDay * (weekend ? 0.4 : 1) * (0.8 + 0.4 * rand()));
    const incident = day >= incidentDay && day < incidentDay + 3 ? perDay * 2 : 0;
    // Globex slides toward churn: from about one ticket a day to several, angrier, over the last month.
    const churn = day >= days - 30 ? Math.round(((day - (days - 30)) / 30) * 8 * rand()) : 0;
    const batches: [Wording[], number, boolean][] = [
      [WORDINGS, base, false],
      [INCIDENT, incident, false],
      [CHURN, churn, true],
    ];
    for (const [wordings, count, globex] of batches) {
      for (let i = 0; i < count; i++) {
        const w = pick(wordings);
        const customer = pick(globex || rand() < 0.03 ? GLOBEX : OTHERS);
        const createdAt = new Date(start + day * DAY + Math.floor(rand() * (DAY - 6 * 3_600_000)));
        const settled = day < days - 2 || rand() < 0.5;
        const incidentRow = wordings === INCIDENT;
        rows.push({
          externalId: '',
          subject: w.subject,
          text: w.text + pick(DETAILS),
          customer,
          channel: pick(['widget', 'email', 'api'] as const),
          tags: incidentRow ? ['run-history'] : [],
          intent: w.intent,
          createdAt,
          pageContext: incidentRow
            ? {
                url: 'https://app.pipewise.example/pipelines/p1/runs',
                route: '/pipelines/:id/runs',
                featureId: 'run-history',
                appVersion: '4.13.0',
                recentErrors: ["TypeError: Cannot read properties of undefined (reading 'rows')"],
              }
            : null,
          state: settled ? 'settled' : rand() < 0.5 ? 'replied' : 'waiting',
          reply: REPLY[w.intent] ?? DEFAULT_REPLY,
          comesBack: settled && rand() < 0.06,
        });
      }
    }
  }
  rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  rows.forEach((r, i) => (r.externalId = `demo-h-${i + 1}`));
  return rows;
}
