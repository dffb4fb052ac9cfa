import type { Deskmind } from '../app.js';
import type { AccountInput, AgentInput, TicketCreate } from '../domain/schemas.js';
import { createAccount } from '../people/create-account.js';
import { createAgent } from '../people/create-agent.js';
import { createTeam } from '../people/create-team.js';
import { listTeams } from '../people/list-teams.js';
import { TRIAGE_TEAM } from '../people/create-workspace.js';
import { updateRoutingSettings } from '../routing/settings.js';
import type { TeamHint } from '../nlp/taxonomy.js';
import { systemActor } from '../store/ctx.js';
import { importArticles } from '../knowledge/import.js';
import { upsertPlaybook } from '../resolution/playbooks.js';
import { DEMO_ARTICLES, DEMO_PLAYBOOKS } from './content.js';
import { demoHistory, type DemoHistoryOptions } from './history.js';
import { seedHistory } from './seed-history.js';
import { updateLearningSettings } from '../learning/thresholds.js';

/** The demo product: "Pipewise", a SaaS for data pipelines, with customers on three tiers. */
export const DEMO_AGENT = { email: 'alex@pipewise.example', password: 'deskmind-demo' };

/** A support team of this size tunes on fewer answers than the defaults ask for (a 90% target, 20 answers). */
const DEMO_LEARNING = { targetSuccess: 0.9, minSamples: 20 };

const ACCOUNTS: AccountInput[] = [
  {
    externalId: 'acc_northwind',
    name: 'Northwind Traders',
    domain: 'northwind.example',
    tier: 'enterprise',
    plan: 'Enterprise',
    mrr: 4800,
    seats: 120,
    billingState: 'active',
    attributes: { region: 'EU' },
  },
  {
    externalId: 'acc_globex',
    name: 'Globex',
    domain: 'globex.example',
    tier: 'enterprise',
    plan: 'Enterprise',
    mrr: 7200,
    seats: 300,
    billingState: 'past_due',
    attributes: {},
  },
  {
    externalId: 'acc_initech',
    name: 'Initech',
    domain: 'initech.example',
    tier: 'pro',
    plan: 'Pro',
    mrr: 490,
    seats: 12,
    billingState: 'active',
    attributes: {},
  },
  {
    externalId: 'acc_hooli',
    name: 'Hooli',
    domain: 'hooli.example',
    tier: 'pro',
    plan: 'Pro',
    mrr: 290,
    seats: 6,
    billingState: 'trialing',
    attributes: {},
  },
  {
    externalId: 'acc_piedpiper',
    name: 'Pied Piper',
    domain: 'piedpiper.example',
    tier: 'free',
    plan: 'Free',
    mrr: 0,
    seats: 2,
    billingState: 'none',
    attributes: {},
  },
];

const TEAMS = [
  { name: 'Billing', description: 'Invoices, refunds, payments and plan changes', skills: ['billing'] },
  { name: 'Technical', description: 'Bugs, integrations, outages and how-to', skills: ['technical', 'integrations'] },
  { name: 'Success', description: 'Enterprise accounts and onboarding', skills: ['enterprise', 'onboarding'] },
  {
    name: 'Security & Legal',
    description: 'Security incidents, privacy and data requests, legal matters',
    skills: ['security', 'legal'],
  },
];

/** The starter taxonomy's team hints, each mapped to a demo team (so every starter intent has a team). */
const HINT_TEAMS: Record<TeamHint, string> = {
  billing: 'Billing',
  technical: 'Technical',
  success: 'Success',
  security: 'Security & Legal',
};

const AGENTS: (Omit<AgentInput, 'teamIds'> & { teams: string[] })[] = [
  {
    name: 'Alex Rivera',
    email: DEMO_AGENT.email,
    password: DEMO_AGENT.password,
    role: 'admin',
    skills: ['billing', 'technical', 'enterprise', 'security', 'legal'],
    languages: ['en', 'es'],
    capacity: 15,
    status: 'online',
    teams: ['Success', 'Technical', 'Security & Legal', TRIAGE_TEAM.name],
  },
  {
    name: 'Sam Chen',
    email: 'sam@pipewise.example',
    password: 'deskmind-demo',
    role: 'agent',
    skills: ['billing'],
    languages: ['en'],
    capacity: 10,
    status: 'online',
    teams: ['Billing', TRIAGE_TEAM.name],
  },
  {
    name: 'Priya Nair',
    email: 'priya@pipewise.example',
    password: 'deskmind-demo',
    role: 'agent',
    skills: ['technical', 'integrations'],
    languages: ['en', 'fr'],
    capacity: 8,
    status: 'away',
    teams: ['Technical'],
  },
];

type DemoLiveTicket = Omit<TicketCreate, 'channel' | 'tags' | 'message'> & { text: string; account: string };

/** The live tickets the demo opens after its past (through the pipeline, as a customer would). */
export const DEMO_TICKETS: DemoLiveTicket[] = [
  {
    subject: 'Cannot log in after password change',
    text: 'I changed my password yesterday and now it says invalid credentials. How do I reset it?',
    customer: { email: 'maria@initech.example', name: 'Maria Lopez' },
    account: 'acc_initech',
  },
  {
    subject: 'Charged twice this month',
    text: 'We were billed twice for November. Please refund the duplicate charge, this is the third time I am asking!!',
    customer: { email: 'finance@globex.example', name: 'Hank Scorpio' },
    account: 'acc_globex',
  },
  {
    subject: 'Pipelines failing with 500 errors',
    text: 'All our production pipelines are down since 9am, every run fails with a 500 error. This is urgent.',
    customer: { email: 'ops@northwind.example', name: 'Nancy Davolio' },
    account: 'acc_northwind',
    pageContext: {
      url: 'https://app.pipewise.example/pipelines',
      featureId: 'pipelines',
      appVersion: '4.12.0',
      recentErrors: ['HTTP 500 POST /api/runs'],
    },
  },
  {
    subject: 'How do I export runs to CSV?',
    text: 'Is there a way to export the run history of a pipeline as CSV from the dashboard?',
    customer: { email: 'gavin@hooli.example', name: 'Gavin Belson' },
    account: 'acc_hooli',
  },
  {
    subject: 'Feature idea: Slack alerts',
    text: 'It would be great to get a Slack message when a pipeline fails. Any plans?',
    customer: { email: 'richard@piedpiper.example', name: 'Richard Hendricks' },
    account: 'acc_piedpiper',
  },
  {
    subject: 'Sync failing again',
    text: 'The warehouse sync failed three times this week. If this is not fixed we will cancel our subscription.',
    customer: { email: 'cto@globex.example', name: 'Hank Scorpio' },
    account: 'acc_globex',
  },
  // One bug hit by three accounts: insights group them into one bug report (GET /api/v1/insights/bug-reports).
  ...[
    {
      email: 'maria@initech.example',
      name: 'Maria Lopez',
      account: 'acc_initech',
      text:
        'Getting an error when I open the Runs page of a pipeline: the run history is blank. It should list ' +
        'the last runs.',
    },
    {
      email: 'gavin@hooli.example',
      name: 'Gavin Belson',
      account: 'acc_hooli',
      text: 'Bug: the run history page shows an error and stays empty when I click on Runs.',
    },
    {
      email: 'ops@northwind.example',
      name: 'Nancy Davolio',
      account: 'acc_northwind',
      text: 'Error on the Runs tab since the last update, the run history does not load at all.',
    },
  ].map(({ text, account, ...customer }) => ({
    subject: 'Run history page shows an error',
    text,
    customer,
    account,
    pageContext: {
      url: 'https://app.pipewise.example/pipelines/p1/runs',
      route: '/pipelines/:id/runs',
      featureId: 'run-history',
      appVersion: '4.13.0',
      recentErrors: ["TypeError: Cannot read properties of undefined (reading 'rows')"],
    },
  })),
];

/**
 * Creates the demo workspace — accounts, teams, agents, knowledge-base articles and playbooks for the
 * starter taxonomy, 90 days of past tickets lived through the pipeline (./seed-history.ts; none with `history: false`,
 * a shorter or thinner one with `history: {days, perDay}`) and (unless `tickets: false`) a few live tickets — and
 * returns its credentials. `tickets: false` also skips the history.
 */
export async function seedDemo(
  desk: Deskmind,
  opts: { tickets?: boolean; history?: boolean | Omit<DemoHistoryOptions, 'now'> } = {},
): Promise<{ workspaceId: string; apiKey: string; agentEmail: string; agentPassword: string }> {
  const { workspace, apiKey } = await desk.createWorkspace('Pipewise (demo)');
  await desk.tx(workspace.id, systemActor, async (ctx) => {
    for (const a of ACCOUNTS) await createAccount(ctx, a);
    // the triage team came with the workspace
    const teamIds = new Map<string, string>((await listTeams(ctx)).map((t) => [t.name, t.id]));
    for (const t of TEAMS) teamIds.set(t.name, (await createTeam(ctx, t)).id);
    await updateRoutingSettings(ctx, {
      intentTeams: Object.fromEntries(Object.entries(HINT_TEAMS).map(([hint, team]) => [hint, teamIds.get(team)!])),
    });
    for (const { teams, ...a } of AGENTS) await createAgent(ctx, { ...a, teamIds: teams.map((n) => teamIds.get(n)!) });
    for (const p of DEMO_PLAYBOOKS)
      await upsertPlaybook(ctx, p.intent, { kind: p.kind, mode: p.mode, template: p.template ?? null }, desk.outbound);
  });
  await importArticles(
    desk.ctx(workspace.id, systemActor),
    desk.embedder,
    DEMO_ARTICLES.map((a) => ({ item: a.externalId, data: a })),
  );
  if (opts.history ?? opts.tickets !== false) {
    await desk.tx(workspace.id, systemActor, (ctx) => updateLearningSettings(ctx, DEMO_LEARNING));
    const now = desk.now();
    const shape = typeof opts.history === 'object' ? opts.history : {};
    await seedHistory(desk, workspace.id, demoHistory({ ...shape, now }), now);
  }
  if (opts.tickets === false)
    return { workspaceId: workspace.id, apiKey, agentEmail: DEMO_AGENT.email, agentPassword: DEMO_AGENT.password };
  for (const t of DEMO_TICKETS) {
    const { text, account, ...rest } = t;
    await desk.createTicket(
      workspace.id,
      { type: 'integration', id: null },
      {
        ...rest,
        customer: { ...rest.customer, accountExternalId: account },
        channel: 'widget',
        tags: [],
        message: { text, visibility: 'public', attachments: [] },
      },
    );
  }
  return { workspaceId: workspace.id, apiKey, agentEmail: DEMO_AGENT.email, agentPassword: DEMO_AGENT.password };
}
