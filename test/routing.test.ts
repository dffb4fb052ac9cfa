import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { seedDemo } from '../src/demo/seed.js';
import { STARTER_TAXONOMY } from '../src/nlp/taxonomy.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../src/pipeline/run-batch.js';
import { DEFAULT_STAGES } from '../src/pipeline/runner.js';
import { applyAssignment, type AssignAction } from '../src/routing/apply.js';
import { uncertaintyOf } from '../src/routing/facts.js';
import { dbRoutingPort } from '../src/routing/port.js';
import {
  intentSkillsOf,
  recordAssignment,
  route,
  withinWorkingHours,
  type RouteInput,
  type RouterRule,
  type RoutingAgent,
  type RoutingTeam,
  type TicketFacts,
} from '../src/routing/router.js';
import { RoutingSettingsSchema } from '../src/routing/settings.js';
import { routeStage } from '../src/pipeline/stages/route.js';
import { routingRoutes } from '../src/server/routes/routing/index.js';
import { backends, newWorkspace, openTestDesk, sessionHeaders, testClock, type TestDesk } from './helpers.js';

// ── pure router ─────────────────────────────────────────────────────────────
const MONDAY_10_UTC = new Date('2026-06-01T10:00:00.000Z'); // a Monday
const settings = (over: Partial<RouteInput['settings']> = {}) => RoutingSettingsSchema.parse(over);
const agent = (name: string, over: Partial<RoutingAgent> = {}): RoutingAgent => ({
  id: randomUUID(),
  name,
  skills: [],
  languages: ['en'],
  status: 'online',
  workingHours: null,
  capacity: 5,
  load: 0,
  lastAssignedAt: null,
  ...over,
});
const team = (name: string, members: RoutingAgent[], skills: string[] = []): RoutingTeam => ({
  id: randomUUID(),
  name,
  skills,
  memberIds: members.map((m) => m.id),
});
const rule = (name: string, over: Partial<RouterRule> = {}): RouterRule => ({
  id: randomUUID(),
  name,
  position: 0,
  enabled: true,
  conditions: {},
  teamId: null,
  requiredSkills: [],
  preferAccountOwner: false,
  ...over,
});
const facts = (over: Partial<TicketFacts> = {}): TicketFacts => ({
  intent: null,
  tier: null,
  language: 'en',
  priority: 'normal',
  tags: [],
  channel: 'api',
  page: null,
  accountAttributes: {},
  teamId: null,
  ...over,
});

describe('route (pure)', () => {
  const ana = agent('Ana');
  const ben = agent('Ben', { languages: ['en', 'es'] });
  const cy = agent('Cy', { skills: ['enterprise'] });
  const owner = agent('Olga');
  const general = team('General', [ana]);
  const billing = team('Billing', [ana, ben]);
  const spanish = team('Spanish', [ben]);
  const enterprise = team('Enterprise', [cy]);
  const escalations = team('Escalations', [cy]);
  const base = {
    teams: [general, billing, spanish, enterprise, escalations],
    agents: [ana, ben, cy, owner],
    accountOwnerId: null,
    settings: settings({ defaultTeamId: general.id }),
    now: MONDAY_10_UTC,
  };
  const routeWith = (rules: RouterRule[], ticket: Partial<TicketFacts>, over: Partial<RouteInput> = {}) =>
    route({ ...base, rules, ticket: facts(ticket), ...over });

  it('routes by intent and explains the rule and the pick', () => {
    const r = rule('Refunds', { conditions: { intent: ['billing_refund'] }, teamId: billing.id });
    const d = routeWith([r], { intent: 'billing_refund' });
    expect(d).toMatchObject({
      teamId: billing.id,
      agentId: ana.id,
      teamSource: 'rule',
      rule: { id: r.id, name: 'Refunds', matched: ['intent is billing_refund'] },
    });
    // people read the intent's name; the API keeps its id (rule.matched)
    expect(d.why).toContain('Rule "Refunds" matched (intent is Refund request) → team Billing.');
    expect(d.why).not.toMatch(/[a-z]_[a-z]/);
    expect(d.why).toContain('Assigned to Ana: lowest load (0/5), never assigned before');
    expect(d.candidates.map((c) => c.name)).toEqual(['Ana', 'Ben']);
  });

  it('routes enterprise tiers to their team, preferring the account owner while they can take it', () => {
    const r = rule('Enterprise', {
      conditions: { tier: ['enterprise'] },
      teamId: enterprise.id,
      preferAccountOwner: true,
    });
    const d = routeWith([r], { tier: 'enterprise' }, { accountOwnerId: owner.id });
    expect(d).toMatchObject({ teamId: enterprise.id, agentId: owner.id });
    expect(d.candidates[0]).toMatchObject({ agentId: owner.id, owner: true, dropped: null });
    expect(d.why).toContain('Assigned to the account owner Olga (0/5).');

    const away = routeWith(
      [r],
      { tier: 'enterprise' },
      { accountOwnerId: owner.id, agents: [ana, ben, cy, { ...owner, status: 'away' }] },
    );
    expect(away.agentId).toBe(cy.id);
    expect(away.candidates[0]).toMatchObject({ agentId: owner.id, dropped: 'away' });
    expect(away.why).toContain('The account owner Olga is away, so the team takes it.');

    const none = routeWith([r], { tier: 'enterprise' });
    expect(none.agentId).toBe(cy.id);
    expect(none.why).toContain('the account has none');
    expect(routeWith([r], { tier: 'pro' }).teamId).toBe(general.id);
  });

  it('routes by language and drops agents who do not speak it', () => {
    const r = rule('Spanish', { conditions: { language: ['es'] }, teamId: spanish.id });
    const d = routeWith([r], { language: 'es-MX' });
    expect(d).toMatchObject({ teamId: spanish.id, agentId: ben.id, rule: { matched: ['language is es-MX'] } });
    expect(d.why).toContain('speaks es-MX');
    const billingRule = rule('Billing', { conditions: { intent: ['billing_invoice'] }, teamId: billing.id });
    const es = routeWith([billingRule], { intent: 'billing_invoice', language: 'es' });
    expect(es.agentId).toBe(ben.id);
    expect(es.candidates.find((c) => c.name === 'Ana')).toMatchObject({
      dropped: 'language',
      detail: 'does not speak es',
    });
  });

  it('routes by priority, page, feature, tag, channel and account attribute', () => {
    const rules = [
      rule('Urgent', { position: 1, conditions: { priority: ['urgent'] }, teamId: escalations.id }),
      rule('Billing page', { position: 2, conditions: { pagePrefix: '/billing' }, teamId: billing.id }),
      rule('Reports feature', { position: 3, conditions: { featureId: 'reports' }, teamId: general.id }),
      rule('VIP tag', { position: 4, conditions: { tag: 'vip' }, teamId: enterprise.id }),
      rule('Phone', { position: 5, conditions: { channel: ['phone'] }, teamId: escalations.id }),
      rule('Region', {
        position: 6,
        conditions: { accountAttribute: { key: 'region', equals: 'latam' } },
        teamId: spanish.id,
      }),
    ];
    const pick = (t: Partial<TicketFacts>) => {
      const d = routeWith(rules, t);
      return [d.rule?.name ?? null, d.teamId, d.rule?.matched.join('; ') ?? null];
    };
    expect(pick({ priority: 'urgent' })).toEqual(['Urgent', escalations.id, 'priority is urgent']);
    expect(pick({ page: { url: 'https://app.example.com/billing/invoices?x=1' } })).toEqual([
      'Billing page',
      billing.id,
      'page /billing/invoices',
    ]);
    expect(pick({ page: { route: '/billing/:id' } })).toEqual(['Billing page', billing.id, 'page /billing/:id']);
    expect(pick({ page: { featureId: 'reports.export' } })).toEqual([
      'Reports feature',
      general.id,
      'feature reports.export',
    ]);
    expect(pick({ tags: ['VIP'] })).toEqual(['VIP tag', enterprise.id, 'tagged vip']);
    expect(pick({ channel: 'phone' })).toEqual(['Phone', escalations.id, 'channel is phone']);
    expect(pick({ accountAttributes: { region: 'latam' } })).toEqual(['Region', spanish.id, 'account region is latam']);
    expect(pick({ accountAttributes: { region: 'emea' }, page: { url: 'https://app.example.com/settings' } })).toEqual([
      null,
      general.id,
      null,
    ]);
    // All conditions of a rule must hold.
    const both = rule('Urgent billing', {
      conditions: { priority: ['urgent'], intent: ['billing_refund'] },
      teamId: billing.id,
    });
    expect(routeWith([both], { priority: 'urgent', intent: 'billing_refund' }).rule?.matched).toEqual([
      'intent is billing_refund',
      'priority is urgent',
    ]);
    expect(routeWith([both], { priority: 'urgent' }).rule).toBeNull();
  });

  it('takes the first enabled rule by position', () => {
    const first = rule('First', { position: 2, teamId: billing.id });
    const earlier = rule('Earlier but disabled', { position: 1, enabled: false, teamId: spanish.id });
    const last = rule('Last', { position: 3, teamId: enterprise.id });
    expect(routeWith([last, earlier, first], {}).rule?.name).toBe('First');
  });

  it('without a matching rule uses the ticket team, then the intent, then the default team', () => {
    const support = team('Billing-team', [ben], ['billing']);
    const teams = [general, support];
    expect(routeWith([], { intent: 'billing_refund' }, { teams })).toMatchObject({
      teamId: support.id,
      teamSource: 'intent',
    });
    expect(routeWith([], { intent: 'billing_refund' }, { teams }).why).toContain(
      `team Billing-team from the team hint "billing" of Refund request`,
    );
    expect(
      routeWith(
        [],
        { intent: 'outage' },
        { teams, settings: settings({ defaultTeamId: general.id, intentTeams: { technical: support.id } }) },
      ).teamId,
    ).toBe(support.id);
    expect(routeWith([], { intent: 'outage' }, { teams })).toMatchObject({ teamId: general.id, teamSource: 'default' });
    expect(routeWith([], { intent: 'outage', teamId: support.id }, { teams })).toMatchObject({
      teamId: support.id,
      teamSource: 'ticket',
    });
    const nowhere = routeWith([], { intent: 'outage' }, { teams, settings: settings() });
    expect(nowhere).toMatchObject({ teamId: null, agentId: null, teamSource: 'none' });
    expect(nowhere.why).toContain('no team');
  });

  it('only picks a team when auto-assign is off', () => {
    const d = routeWith([rule('R', { teamId: billing.id })], {}, { settings: settings({ autoAssign: false }) });
    expect(d).toMatchObject({ teamId: billing.id, agentId: null, candidates: [] });
    expect(d.why).toContain('Auto-assign is off');
  });

  it('drops candidates with a reason each and explains who was skipped', () => {
    const berlin9to17 = { timezone: 'Europe/Berlin', days: { '1': ['09:00-17:00'] } };
    const people = [
      agent('Off', { status: 'offline' }),
      agent('Away', { status: 'away' }),
      agent('Night', { workingHours: { timezone: 'Europe/Berlin', days: { '1': ['18:00-23:00'] } } }),
      agent('Unskilled', { workingHours: berlin9to17 }),
      agent('French', { skills: ['refunds'], languages: ['fr'] }),
      agent('Full', { skills: ['refunds'], load: 5, capacity: 5 }),
      agent('Zero', { skills: ['refunds'], capacity: 0 }),
      agent('Fine', { skills: ['REFUNDS'], load: 4, capacity: 5 }),
    ];
    const crew = team('Crew', people);
    const d = route({
      ...base,
      teams: [crew],
      agents: people,
      rules: [rule('Refunds', { teamId: crew.id, requiredSkills: ['refunds'] })],
      ticket: facts(),
    });
    expect(d.candidates.map((c) => [c.name, c.dropped])).toEqual([
      ['Off', 'offline'],
      ['Away', 'away'],
      ['Night', 'outside_working_hours'],
      ['Unskilled', 'missing_skill'],
      ['French', 'language'],
      ['Full', 'at_capacity'],
      ['Zero', 'at_capacity'],
      ['Fine', null],
    ]);
    expect(d.agentId).toBe(people[7]!.id);
    expect(d.candidates[2]!.detail).toBe('outside working hours (Mon 12:00 in Europe/Berlin)');
    expect(d.candidates[5]).toMatchObject({ detail: 'at capacity (5/5)', load: 5, capacity: 5 });
    expect(d.why).toContain(
      'Skipped: Off offline; Away away; Night outside working hours (Mon 12:00 in Europe/Berlin); Unskilled lacks ' +
        'skill refunds; French does not speak en; Full at capacity (5/5); Zero at capacity (0/0).',
    );
    const nobody = route({
      ...base,
      teams: [crew],
      agents: people.slice(0, 7),
      rules: [rule('Refunds', { teamId: crew.id, requiredSkills: ['refunds'] })],
      ticket: facts(),
    });
    expect(nobody.agentId).toBeNull();
    expect(nobody.why).toContain('Nobody can take it now: Off offline;');
    expect(
      route({
        ...base,
        teams: [team('Empty', [])],
        agents: [],
        rules: [],
        ticket: facts({ teamId: null }),
        settings: settings({ defaultTeamId: undefined }),
      }).agentId,
    ).toBeNull();
  });

  it('picks the lowest load ratio, then the longest idle', () => {
    const busy = agent('Busy', { load: 3, capacity: 10 });
    const small = agent('Small', { load: 1, capacity: 2 });
    const recent = agent('Recent', {
      load: 1,
      capacity: 10,
      lastAssignedAt: new Date(MONDAY_10_UTC.getTime() - 5 * 60_000),
    });
    const idle = agent('Idle', {
      load: 1,
      capacity: 10,
      lastAssignedAt: new Date(MONDAY_10_UTC.getTime() - 90 * 60_000),
    });
    const crew = team('Crew', [busy, small, recent, idle]);
    const d = route({
      ...base,
      teams: [crew],
      agents: [busy, small, recent, idle],
      rules: [rule('All', { teamId: crew.id })],
      ticket: facts(),
    });
    expect(d.agentId).toBe(idle.id);
    expect(d.why).toContain('Assigned to Idle: lowest load (1/10), idle 90 min');
    expect(d.candidates.map((c) => c.idleMinutes)).toEqual([null, null, 5, 90]);
  });
});

describe('routing that never strands a ticket (pure)', () => {
  const ana = agent('Ana', { skills: ['billing'], load: 2 });
  const ben = agent('Ben');
  const cy = agent('Cy', { skills: ['security', 'legal'] });
  const triage = team('Triage', []);
  const billing = team('Billing', [ana, ben]);
  const technical = team('Technical', [ben]);
  const security = team('Security & Legal', [cy]);
  const s = settings({
    defaultTeamId: triage.id,
    intentTeams: { billing: billing.id, technical: technical.id, security: security.id },
  });
  const go = (ticket: Partial<TicketFacts>, over: Partial<RouteInput> = {}) =>
    route({
      teams: [triage, billing, technical, security],
      agents: [ana, ben, cy],
      rules: [],
      accountOwnerId: null,
      settings: s,
      now: MONDAY_10_UTC,
      ticket: facts(ticket),
      ...over,
    });

  it('sends an uncertain ticket to the team its alternatives agree on, otherwise to the triage team', () => {
    const agree = go({ uncertain: { reason: 'out_of_scope', alternatives: ['billing_invoice', 'billing_refund'] } });
    expect(agree).toMatchObject({
      teamId: billing.id,
      teamSource: 'alternatives',
      uncertain: { reason: 'out_of_scope' },
    });
    expect(agree.why).toContain(
      'the intent is uncertain, and its alternatives agree (Invoices and receipts → Billing, Refund request → Billing)',
    );
    const split = go({ uncertain: { reason: 'multi_intent', alternatives: ['billing_invoice', 'outage'] } });
    expect(split).toMatchObject({
      teamId: triage.id,
      teamSource: 'default',
      uncertain: { reason: 'multi_intent', alternatives: ['billing_invoice', 'outage'] },
    });
    expect(split.why).toContain(
      'team Triage from the default team (the ticket asks several things, and its alternatives disagree: ' +
        'Invoices and receipts → Billing, Outage → Technical)',
    );
    expect(go({ uncertain: { reason: 'out_of_scope', alternatives: [] } })).toMatchObject({
      teamId: triage.id,
      teamSource: 'default',
    });
    // a sure intent without a mapped team goes to triage too, and says so
    const unmapped = go({ intent: 'something_new' });
    expect(unmapped).toMatchObject({ teamId: triage.id, teamSource: 'default' });
    // an intent the taxonomy does not know reads as its id in words
    expect(unmapped.why).toContain('no team is mapped to Something new');
    expect(unmapped.uncertain).toBeUndefined();
  });

  it('opens a team without members to every agent, so a ticket reaches somebody while any agent exists', () => {
    const d = go({ intent: null });
    expect(d).toMatchObject({ teamId: triage.id, agentId: ben.id });
    expect(d.why).toContain('Team Triage has no members, so any agent may take it.');
    expect(go({ intent: null }, { agents: [] }).why).toContain('The workspace has no agents.');
  });

  it("prefers agents with the intent's skills: from the taxonomy, the playbook, or the routing settings", () => {
    // Ana is busier, but billing_refund wants "billing" (its taxonomy team hint) and only she has it
    const taxonomy = go({ intent: 'billing_refund' });
    expect(taxonomy).toMatchObject({ teamId: billing.id, agentId: ana.id, teamSource: 'intent' });
    expect(taxonomy.why).toContain('has billing (the skills Refund request wants, from the taxonomy)');
    const playbook = go({ intent: 'billing_refund' }, { playbookSkills: { billing_refund: ['refunds'] } });
    expect(playbook.agentId).toBe(ben.id);
    expect(playbook.why).toContain('nobody available has refunds (the skills Refund request wants)');
    const overridden = go(
      { intent: 'billing_refund' },
      {
        playbookSkills: { billing_refund: ['refunds'] },
        settings: { ...s, intentSkills: { billing_refund: ['billing'] } },
      },
    );
    expect(overridden.agentId).toBe(ana.id);
    expect(overridden.why).toContain('from the routing settings');
    expect(intentSkillsOf({ settings: s }, 'security_privacy')).toEqual({ skills: ['security'], source: 'taxonomy' });
    expect(go({ intent: 'security_privacy' })).toMatchObject({ teamId: security.id, agentId: cy.id });
  });

  it('reads uncertainty from the understand stage', () => {
    const p = {
      intent: null,
      topIntent: 'billing_invoice',
      alternatives: [
        { intent: 'billing_invoice', probability: 0.4 },
        { intent: 'billing_refund', probability: 0.3 },
        { intent: 'outage', probability: 0.05 },
      ],
      multiIntent: null,
    };
    expect(uncertaintyOf(p)).toEqual({ reason: 'out_of_scope', alternatives: ['billing_invoice', 'billing_refund'] });
    expect(uncertaintyOf({ ...p, intent: 'billing_invoice' })).toBeNull();
    expect(
      uncertaintyOf({ ...p, intent: 'billing_invoice', multiIntent: { intents: ['billing_invoice', 'outage'] } }),
    ).toEqual({ reason: 'multi_intent', alternatives: ['billing_invoice', 'outage'] });
    expect(uncertaintyOf({ ...p, alternatives: [] })).toEqual({
      reason: 'out_of_scope',
      alternatives: ['billing_invoice'],
    });
  });
});

describe('working hours', () => {
  const nyMonday = { timezone: 'America/New_York', days: { '1': ['09:00-17:00'] } };
  it('follows the agent time zone with a controllable clock', () => {
    const clock = testClock(new Date('2026-06-01T12:59:00.000Z')); // 08:59 in New York (EDT)
    expect(withinWorkingHours(nyMonday, clock.now())).toEqual({ ok: false, local: 'Mon 08:59 in America/New_York' });
    clock.advance(60_000);
    expect(withinWorkingHours(nyMonday, clock.now()).ok).toBe(true);
    clock.set(new Date('2026-06-01T21:00:00.000Z')); // 17:00 in New York: the end is exclusive
    expect(withinWorkingHours(nyMonday, clock.now()).ok).toBe(false);
    clock.set(new Date('2026-12-07T14:30:00.000Z')); // a Monday in winter (EST): 09:30
    expect(withinWorkingHours(nyMonday, clock.now())).toEqual({ ok: true, local: 'Mon 09:30 in America/New_York' });
    expect(withinWorkingHours(null, clock.now()).ok).toBe(true);
    expect(withinWorkingHours({ timezone: 'Mars/Olympus', days: { '1': ['00:00-24:00'] } }, clock.now())).toEqual({
      ok: false,
      local: 'unknown time zone Mars/Olympus',
    });
  });

  it('lets a range run past midnight into the next day', () => {
    const tokyoSundayNight = { timezone: 'Asia/Tokyo', days: { '0': ['22:00-06:00'] } };
    expect(withinWorkingHours(tokyoSundayNight, new Date('2026-05-31T13:30:00.000Z')).ok).toBe(true); // Sun 22:30
    expect(withinWorkingHours(tokyoSundayNight, new Date('2026-05-31T20:00:00.000Z')).ok).toBe(true); // Mon 05:00
    expect(withinWorkingHours(tokyoSundayNight, new Date('2026-05-31T21:00:00.000Z')).ok).toBe(false); // Mon 06:00
    expect(
      withinWorkingHours({ timezone: 'UTC', days: { '1': ['00:00-24:00'] } }, new Date('2026-06-01T23:59:00.000Z')).ok,
    ).toBe(true);
  });

  it('routes around the clock to whoever is on shift', () => {
    const berlin = agent('Berlin', { workingHours: { timezone: 'Europe/Berlin', days: { '1': ['08:00-16:00'] } } });
    const sf = agent('SF', { workingHours: { timezone: 'America/Los_Angeles', days: { '1': ['08:00-16:00'] } } });
    const crew = team('Crew', [berlin, sf]);
    const at = (iso: string) =>
      route({
        teams: [crew],
        agents: [berlin, sf],
        rules: [rule('All', { teamId: crew.id })],
        ticket: facts(),
        accountOwnerId: null,
        settings: settings(),
        now: new Date(iso),
      });
    expect(at('2026-06-01T08:00:00.000Z').agentId).toBe(berlin.id); // 10:00 Berlin, 01:00 SF
    expect(at('2026-06-01T18:00:00.000Z').agentId).toBe(sf.id); // 20:00 Berlin, 11:00 SF
    expect(at('2026-06-02T01:00:00.000Z').agentId).toBeNull(); // both off shift
    const ignoring = route({
      teams: [crew],
      agents: [berlin, sf],
      rules: [rule('All', { teamId: crew.id })],
      ticket: facts(),
      accountOwnerId: null,
      settings: settings({ respectWorkingHours: false }),
      now: new Date('2026-06-02T01:00:00.000Z'),
    });
    expect(ignoring.agentId).not.toBeNull();
  });
});

describe('a burst of 500 tickets', () => {
  it('never puts an agent over capacity and spreads the work fairly', () => {
    const clock = testClock(MONDAY_10_UTC);
    let agents = [
      agent('A', { capacity: 50 }),
      agent('B', { capacity: 50 }),
      agent('C', { capacity: 100, load: 20 }),
      agent('D', { capacity: 75 }),
      agent('E', { capacity: 25, load: 25 }),
    ];
    const crew = team('Crew', agents);
    const rules = [rule('All', { teamId: crew.id })];
    const total = agents.reduce((n, a) => n + a.capacity - a.load, 0); // 255 free slots
    let assigned = 0;
    let unassigned = 0;
    for (let i = 0; i < 500; i++) {
      const d = route({
        teams: [crew],
        agents,
        rules,
        ticket: facts(),
        accountOwnerId: null,
        settings: settings(),
        now: clock.now(),
      });
      if (d.agentId) assigned++;
      else unassigned++;
      agents = recordAssignment(agents, d.agentId, clock.now());
      clock.advance(1_000);
      for (const a of agents) expect(a.load).toBeLessThanOrEqual(a.capacity);
      // Fair: among agents with room left, load ratios stay within one ticket of each other.
      const open = agents.filter((a) => a.load < a.capacity);
      const ratios = open.map((a) => a.load / a.capacity);
      if (open.length > 1 && i > 40)
        expect(Math.max(...ratios) - Math.min(...ratios)).toBeLessThanOrEqual(
          1 / Math.min(...open.map((a) => a.capacity)) + 1e-9,
        );
    }
    expect(assigned).toBe(total);
    expect(unassigned).toBe(500 - total);
    expect(agents.map((a) => a.load)).toEqual([50, 50, 100, 75, 25]);
  });
});

describe('route stage', () => {
  const input = {
    workspaceId: randomUUID(),
    ticket: { assigneeId: null },
    account: null,
    now: MONDAY_10_UTC,
  } as unknown as Parameters<typeof routeStage.run>[0];
  const noPorts = {} as Parameters<typeof routeStage.run>[2];
  const earlier = (outcomes: object) => outcomes as Parameters<typeof routeStage.run>[1];
  it('routes only tickets going to a human, and never re-routes an assigned one', async () => {
    expect(
      (await routeStage.run(input, earlier({ decide: { result: { decision: 'resolve' } } }), noPorts)).result,
    ).toEqual({ skipped: 'not handed to a human' });
    const consulted = {
      ...noPorts,
      routing: {
        snapshot: async () => {
          throw new Error('routing consulted');
        },
        accountOwner: async () => null,
      },
    } as typeof noPorts;
    await expect(
      routeStage.run(input, earlier({ decide: { result: { decision: 'hand_off' } } }), consulted),
    ).rejects.toThrow('routing consulted');
    const assigned = { ...input, ticket: { assigneeId: 'someone' } } as unknown as typeof input;
    expect(
      (await routeStage.run(assigned, earlier({ decide: { result: { decision: 'draft' } } }), noPorts)).result,
    ).toMatchObject({ skipped: 'already assigned' });
    // A reply that could not be composed hands off too.
    const composeFailed = {
      decide: { result: { decision: 'resolve' } },
      resolve: { result: {}, actions: [{ type: 'hand_off' as const, reason: 'compose_ungrounded', detail: '' }] },
    };
    await expect(routeStage.run(input, earlier(composeFailed), consulted)).rejects.toThrow('routing consulted');
  });
});

// ── API and database ────────────────────────────────────────────────────────
describe.each(backends())('routing API on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  let other: Awaited<ReturnType<typeof newWorkspace>>;
  const clock = testClock(MONDAY_10_UTC);
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    if (!t.server.hasRoute({ method: 'GET', url: '/api/v1/routing/rules' }))
      await t.server.register(routingRoutes(t.desk), { prefix: '/api/v1' });
    ws = await newWorkspace(t, 'Acme');
    other = await newWorkspace(t, 'Other');
  });
  afterAll(async () => t?.close());

  const login = async (email: string) => {
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'correct horse battery' },
    });
    expect(res.statusCode).toBe(200);
    const headers = sessionHeaders(res);
    return (method: 'GET' | 'POST', url: string, body?: object) =>
      t.server.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
  };

  it('creates, lists, changes and deletes rules, validated and workspace-isolated', async () => {
    const billing = (await ws.call('POST', '/api/v1/teams', { name: 'Billing', skills: ['billing'] })).body;
    const created = await ws.call('POST', '/api/v1/routing/rules', {
      name: 'Refunds',
      conditions: { intent: ['billing_refund'], tier: ['pro'] },
      teamId: billing.id,
      requiredSkills: ['refunds'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Refunds',
      position: 0,
      enabled: true,
      teamId: billing.id,
      requiredSkills: ['refunds'],
      preferAccountOwner: false,
      conditions: { intent: ['billing_refund'], tier: ['pro'] },
    });
    const second = await ws.call('POST', '/api/v1/routing/rules', {
      name: 'Enterprise',
      conditions: { tier: ['enterprise'] },
      preferAccountOwner: true,
    });
    expect(second.body).toMatchObject({ position: 1, teamId: null });

    expect((await ws.call('POST', '/api/v1/routing/rules', { name: 'Refunds' })).status).toBe(409);
    const bad = await ws.call('POST', '/api/v1/routing/rules', {
      name: 'Bad',
      conditions: { priority: ['whenever'], colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    const foreignTeam = (await other.call('POST', '/api/v1/teams', { name: 'Theirs' })).body;
    expect((await ws.call('POST', '/api/v1/routing/rules', { name: 'Foreign', teamId: foreignTeam.id })).status).toBe(
      400,
    );

    const patched = await ws.call('PATCH', `/api/v1/routing/rules/${second.body.id}`, {
      position: 0,
      enabled: false,
      conditions: { tier: ['enterprise'], tag: 'vip' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Enterprise',
      enabled: false,
      preferAccountOwner: true,
      conditions: { tier: ['enterprise'], tag: 'vip' },
    });
    expect((await ws.call('PATCH', `/api/v1/routing/rules/${second.body.id}`, {})).status).toBe(400);
    const list = await ws.call('GET', '/api/v1/routing/rules');
    expect(list.body.data.map((r: { name: string }) => r.name)).toEqual(['Enterprise', 'Refunds']);

    // Another workspace sees nothing and can change nothing.
    expect((await other.call('GET', '/api/v1/routing/rules')).body.data).toEqual([]);
    expect((await other.call('GET', `/api/v1/routing/rules/${created.body.id}`)).status).toBe(404);
    expect((await other.call('PATCH', `/api/v1/routing/rules/${created.body.id}`, { enabled: false })).status).toBe(
      404,
    );
    expect((await other.call('DELETE', `/api/v1/routing/rules/${created.body.id}`)).status).toBe(404);

    // Staff read, admins write.
    const agentKey = (await ws.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).body.secret;
    const asAgent = (method: 'GET' | 'POST', url: string, body?: object) =>
      t.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${agentKey}` },
        ...(body ? { payload: body } : {}),
      });
    expect((await asAgent('GET', '/api/v1/routing/rules')).statusCode).toBe(200);
    expect((await asAgent('POST', '/api/v1/routing/rules', { name: 'Nope' })).statusCode).toBe(403);

    expect((await ws.call('DELETE', `/api/v1/routing/rules/${second.body.id}`)).status).toBe(204);
    expect((await ws.call('GET', `/api/v1/routing/rules/${second.body.id}`)).status).toBe(404);
    expect((await ws.call('DELETE', `/api/v1/routing/rules/${created.body.id}`)).status).toBe(204);
  });

  it('reads and changes routing settings', async () => {
    const teamsList = (await ws.call('GET', '/api/v1/teams')).body.data;
    // every workspace starts with its default (triage) team
    const triage = teamsList.find((x: { name: string }) => x.name === 'Triage');
    expect((await ws.call('GET', '/api/v1/routing/settings')).body).toEqual({
      autoAssign: true,
      defaultTeamId: triage.id,
      intentTeams: {},
      intentSkills: {},
      respectWorkingHours: true,
    });
    expect((await ws.call('DELETE', `/api/v1/teams/${triage.id}`)).body).toMatchObject({ code: 'conflict' });
    const changed = await ws.call('PATCH', '/api/v1/routing/settings', {
      defaultTeamId: teamsList[0].id,
      intentTeams: { billing: teamsList[0].id },
    });
    expect(changed.body).toMatchObject({
      autoAssign: true,
      defaultTeamId: teamsList[0].id,
      intentTeams: { billing: teamsList[0].id },
    });
    expect((await ws.call('PATCH', '/api/v1/routing/settings', { defaultTeamId: randomUUID() })).status).toBe(400);
    const otherTriage = (await other.call('GET', '/api/v1/routing/settings')).body.defaultTeamId;
    expect(otherTriage).not.toBe(triage.id);
    expect((await other.call('GET', `/api/v1/teams/${otherTriage}`)).body.name).toBe('Triage');
  });

  it('hands an offline agent’s open tickets back to the team, each with an explanation', async () => {
    const support = (await ws.call('POST', '/api/v1/teams', { name: 'Support' })).body;
    const mk = async (name: string, over: object = {}) =>
      (
        await ws.call('POST', '/api/v1/agents', {
          name,
          email: `${name.toLowerCase()}@acme.example`,
          password: 'correct horse battery',
          status: 'online',
          teamIds: [support.id],
          ...over,
        })
      ).body;
    const leaving = await mk('Leaving');
    const stays = await mk('Stays', { capacity: 2 });
    const also = await mk('Also', { capacity: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ws.call('POST', '/api/v1/tickets', {
        subject: `Help ${i}`,
        message: { text: `Something is broken ${i}` },
        customer: { email: `c${i}@x.example` },
      });
      ids.push(res.body.ticket.id);
      expect(
        (
          await ws.call('PATCH', `/api/v1/tickets/${res.body.ticket.id}`, {
            assigneeId: leaving.id,
            teamId: support.id,
          })
        ).status,
      ).toBe(200);
      clock.advance(60_000);
    }
    expect((await ws.call('PATCH', `/api/v1/tickets/${ids[4]}`, { status: 'pending' })).status).toBe(200);

    // Agents set only their own presence.
    const asStays = await login('stays@acme.example');
    expect((await asStays('POST', `/api/v1/agents/${leaving.id}/presence`, { status: 'offline' })).statusCode).toBe(
      403,
    );
    const asLeaving = await login('leaving@acme.example');
    const res = await asLeaving('POST', `/api/v1/agents/${leaving.id}/presence`, { status: 'offline' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.agent.status).toBe('offline');
    expect(body.redistributed.map((r: { ticketId: string }) => r.ticketId)).toEqual(ids.slice(0, 4));
    const byAgent = body.redistributed.map((r: { agentId: string | null }) => r.agentId);
    expect(byAgent.filter((a: string | null) => a === stays.id)).toHaveLength(2);
    expect(byAgent.filter((a: string | null) => a === also.id)).toHaveLength(2);

    const detail = await ws.call('GET', `/api/v1/tickets/${ids[0]}`);
    expect(detail.body).toMatchObject({ teamId: support.id, status: 'new' });
    expect([stays.id, also.id]).toContain(detail.body.assigneeId);
    const routed = detail.body.timeline.find((e: { type: string }) => e.type === 'ticket.routed');
    expect(routed).toMatchObject({
      actorType: 'system',
      data: { reason: 'agent_offline', previousAssigneeId: leaving.id, teamSource: 'ticket' },
    });
    expect(routed.data.why).toContain("kept the ticket's team Support");
    expect(routed.data.candidates.find((c: { agentId: string }) => c.agentId === leaving.id).dropped).toBe('offline');
    expect((await ws.call('GET', `/api/v1/tickets/${ids[4]}`)).body.assigneeId).toBe(leaving.id); // pending stays

    // With everyone full, a further ticket is unassigned but keeps its team.
    const extra = await ws.call('POST', '/api/v1/tickets', {
      subject: 'One more',
      message: { text: 'hello' },
      customer: { email: 'c9@x.example' },
    });
    await ws.call('POST', `/api/v1/agents/${leaving.id}/presence`, { status: 'online' });
    await ws.call('PATCH', `/api/v1/tickets/${extra.body.ticket.id}`, { assigneeId: leaving.id, teamId: support.id });
    const again = await ws.call('POST', `/api/v1/agents/${leaving.id}/presence`, { status: 'offline' });
    expect(again.body.redistributed).toEqual([
      expect.objectContaining({ ticketId: extra.body.ticket.id, agentId: null, teamId: support.id }),
    ]);
    expect(again.body.redistributed[0].why).toContain('Nobody can take it now');
    expect((await ws.call('GET', `/api/v1/tickets/${extra.body.ticket.id}`)).body.assigneeId).toBeNull();

    const explained = await ws.call('GET', `/api/v1/tickets/${extra.body.ticket.id}/routing`);
    expect(explained.status).toBe(200);
    // From scratch there is no rule and the intent is unknown: the default team (Billing, no members, so open to every
    // agent).
    expect(explained.body).toMatchObject({ teamSource: 'default', agentId: null });
    expect(explained.body.candidates.map((c: { dropped: string }) => c.dropped).sort()).toEqual([
      'at_capacity',
      'at_capacity',
      'offline',
    ]);
    expect(explained.body.why).toContain(
      'Team Billing has no members, so any agent may take it. Nobody can take it now',
    );
    expect((await other.call('GET', `/api/v1/tickets/${extra.body.ticket.id}/routing`)).status).toBe(404);
    expect((await other.call('POST', `/api/v1/agents/${stays.id}/presence`, { status: 'offline' })).status).toBe(404);

    // Coming back online takes the ticket waiting in the team's queue, with an explanation.
    const back = await ws.call('POST', `/api/v1/agents/${leaving.id}/presence`, { status: 'online' });
    expect(back.body.assigned).toEqual([
      expect.objectContaining({ ticketId: extra.body.ticket.id, agentId: leaving.id, teamId: support.id }),
    ]);
    const taken = await ws.call('GET', `/api/v1/tickets/${extra.body.ticket.id}`);
    expect(taken.body.assigneeId).toBe(leaving.id);
    expect(taken.body.timeline.filter((e: { type: string }) => e.type === 'ticket.routed').at(-1)).toMatchObject({
      actorType: 'system',
      data: { reason: 'queue', agentId: leaving.id },
    });

    // A ticket left in the queue (say, the only free agent was away) is assigned by the next sweep.
    await ws.call('POST', `/api/v1/agents/${leaving.id}/presence`, { status: 'away' });
    const waiting = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Queued',
      message: { text: 'hello again' },
      customer: { email: 'c10@x.example' },
    });
    await ws.call('PATCH', `/api/v1/tickets/${waiting.body.ticket.id}`, { teamId: support.id });
    expect((await t.desk.sweep()).assigned).toBe(0); // everyone online is full
    await t.desk.database.executeSql(`update agents set status = 'online' where id = $1`, [leaving.id]);
    expect((await t.desk.sweep()).assigned).toBe(1);
    expect((await ws.call('GET', `/api/v1/tickets/${waiting.body.ticket.id}`)).body.assigneeId).toBe(leaving.id);
  });

  it('routes a handed-off ticket in the pipeline to the account owner, with the decision recorded', async () => {
    const vip = (await ws.call('POST', '/api/v1/teams', { name: 'VIP' })).body;
    const member = (
      await ws.call('POST', '/api/v1/agents', {
        name: 'Member',
        email: 'member@acme.example',
        status: 'online',
        teamIds: [vip.id],
      })
    ).body;
    const csm = (await ws.call('POST', '/api/v1/agents', { name: 'Csm', email: 'csm@acme.example', status: 'online' }))
      .body;
    await ws.call('POST', '/api/v1/routing/rules', {
      name: 'Enterprise owners',
      conditions: { tier: ['enterprise'] },
      teamId: vip.id,
      preferAccountOwner: true,
    });
    await ws.call('PUT', '/api/v1/accounts/by-external-id/big', {
      name: 'Big Co',
      tier: 'enterprise',
      attributes: { ownerEmail: 'CSM@acme.example' },
    });
    const created = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Refund please',
      message: { text: 'I was charged twice for my subscription this month, please refund the duplicate invoice.' },
      customer: { email: 'boss@big.example', accountExternalId: 'big' },
    });
    const ticketId = created.body.ticket.id;
    const run = await runPipeline(
      {
        database: t.desk.database,
        ports: { ...t.desk.ports, routing: dbRoutingPort(t.desk.database) } as typeof t.desk.ports,
        stages: [...DEFAULT_STAGES, routeStage],
        now: clock.now,
      },
      ws.workspaceId,
      ticketId,
      'created',
      randomUUID(),
    );
    expect(run.failedStage).toBeNull();
    const routed = run.outcomes.route!;
    expect(routed.result).toMatchObject({
      teamId: vip.id,
      agentId: csm.id,
      rule: { name: 'Enterprise owners', matched: ['tier is enterprise'] },
    });
    expect('why' in routed.result && routed.result.why).toContain('Assigned to the account owner Csm');
    const action = routed.actions![0] as unknown as AssignAction;
    expect(action).toMatchObject({ type: 'assign', teamId: vip.id, agentId: csm.id });
    // Until the runner applies `assign` itself, apply it as the runner will.
    await t.desk.tx(ws.workspaceId, { type: 'assistant', id: null }, (ctx) =>
      applyAssignment(ctx, ticketId, action, { expectAssignee: null }),
    );
    const detail = await ws.call('GET', `/api/v1/tickets/${ticketId}`);
    expect(detail.body).toMatchObject({ teamId: vip.id, assigneeId: csm.id });
    expect(detail.body.decisions.map((d: { stage: string }) => d.stage)).toContain('route');
    expect(detail.body.timeline.filter((e: { type: string }) => e.type === 'ticket.routed')).toHaveLength(1);
    // Applying again does nothing: the ticket is no longer unassigned.
    expect(
      await t.desk.tx(ws.workspaceId, { type: 'assistant', id: null }, (ctx) =>
        applyAssignment(ctx, ticketId, action, { expectAssignee: null }),
      ),
    ).toBeNull();
    // An agent who filled up between routing and applying is not assigned: the ticket waits in the team.
    await ws.call('PATCH', `/api/v1/agents/${csm.id}`, { capacity: 1 });
    const second = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Another',
      message: { text: 'Another question' },
      customer: { email: 'boss@big.example' },
    });
    const late = await t.desk.tx(ws.workspaceId, { type: 'assistant', id: null }, (ctx) =>
      applyAssignment(ctx, second.body.ticket.id, action, { expectAssignee: null }),
    );
    expect(late).toMatchObject({ agentId: null, teamId: vip.id });
    expect(late!.explanation.why).toContain('Csm filled up meanwhile');
    expect((await ws.call('GET', `/api/v1/tickets/${second.body.ticket.id}`)).body).toMatchObject({
      teamId: vip.id,
      assigneeId: null,
    });
    // The owner is found by agent id too, never across workspaces.
    const port = dbRoutingPort(t.desk.database);
    expect(await port.accountOwner(ws.workspaceId, { attributes: { ownerAgentId: member.id } })).toBe(member.id);
    expect(
      await port.accountOwner(other.workspaceId, {
        attributes: { ownerAgentId: member.id, ownerEmail: 'member@acme.example' },
      }),
    ).toBeNull();
    expect(await port.accountOwner(ws.workspaceId, null)).toBeNull();
    const loaded = await port.snapshot(ws.workspaceId);
    expect(loaded.agents.find((a) => a.id === csm.id)).toMatchObject({
      load: 1,
      capacity: 1,
      lastAssignedAt: clock.now(),
    });
    expect(loaded.rules.map((r) => r.name)).toEqual(['Enterprise owners']);
  });

  it('backfills a default (triage) team for workspaces created before there was one', async () => {
    const old = await newWorkspace(t, 'Before triage');
    const db = t.desk.database;
    await db.executeSql(`delete from teams where workspace_id = $1`, [old.workspaceId]);
    await db.executeSql(`update workspaces set settings = settings - 'routing' where id = $1`, [old.workspaceId]);
    const sql = readFileSync(
      new URL('../src/store/migrations/0015_routing_defaults.sql', import.meta.url),
      'utf8',
    ).split('--> statement-breakpoint');
    const before = (await ws.call('GET', '/api/v1/routing/settings')).body.defaultTeamId;
    for (const statement of sql.slice(1)) await db.executeSql(statement);
    const after = (await old.call('GET', '/api/v1/routing/settings')).body.defaultTeamId;
    expect((await old.call('GET', `/api/v1/teams/${after}`)).body.name).toBe('Triage');
    // a workspace that had a default keeps it
    expect((await ws.call('GET', '/api/v1/routing/settings')).body.defaultTeamId).toBe(before);
  });

  it(
    'routes every starter intent of the demo to a named team, and uncertain tickets to triage or their ' +
      'alternatives’ team',
    async () => {
      const demo = await seedDemo(t.desk, { tickets: false });
      const snapshot = await dbRoutingPort(t.desk.database).snapshot(demo.workspaceId);
      const named = (id: string | null) => snapshot.teams.find((x) => x.id === id)?.name;
      for (const intent of STARTER_TAXONOMY.map((i) => i.id)) {
        const d = route({ ...snapshot, accountOwnerId: null, ticket: facts({ intent }), now: MONDAY_10_UTC });
        expect([intent, named(d.teamId)]).not.toEqual([intent, undefined]);
        expect(named(d.teamId), intent).not.toBe('Triage');
      }
      expect(
        named(
          route({
            ...snapshot,
            accountOwnerId: null,
            ticket: facts({ intent: 'security_privacy' }),
            now: MONDAY_10_UTC,
          }).teamId,
        ),
      ).toBe('Security & Legal');
      // through the pipeline: a ticket in a language nobody answers alone, about nothing the model knows
      const created = await t.desk.createTicket(
        demo.workspaceId,
        { type: 'integration', id: null },
        {
          subject: 'Hola',
          channel: 'api',
          tags: [],
          customer: { email: 'ana@cliente.example' },
          message: {
            text: 'Hola, quisiera saber algo sobre el asunto de ayer, gracias',
            visibility: 'public',
            attachments: [],
          },
        },
      );
      const run = await runPipeline(
        {
          database: t.desk.database,
          ports: { ...t.desk.ports, routing: dbRoutingPort(t.desk.database) } as typeof t.desk.ports,
          stages: [...DEFAULT_STAGES, routeStage],
          now: clock.now,
        },
        demo.workspaceId,
        created.ticket.id,
        'created',
        randomUUID(),
      );
      const routed = run.outcomes.route!.result as {
        teamId: string | null;
        agentId: string | null;
        teamSource: string;
        why: string;
      };
      expect(routed.teamId, routed.why).not.toBeNull();
      expect(routed.agentId, routed.why).not.toBeNull();
      expect(['alternatives', 'default', 'intent']).toContain(routed.teamSource);
    },
  );

  it('documents its routes in the OpenAPI document', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/routing/rules',
        '/api/v1/routing/rules/{id}',
        '/api/v1/routing/settings',
        '/api/v1/agents/{id}/presence',
        '/api/v1/tickets/{id}/routing',
      ]),
    );
  });
});
