import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { detectSpike, fitSeasonal, poissonUpperTail, rateAt } from '../src/insights/anomaly.js';
import { buildReport } from '../src/insights/bug-reports.js';
import { assignIncrementally, clusterBatch, keyPhrases, nmi, purity } from '../src/insights/clustering.js';
import { normaliseError, type TicketFact } from '../src/insights/data.js';
import { scoreHealth, usageChangeOf } from '../src/insights/health.js';
import { githubClosedIssue, githubTracker, verifyGithubSignature } from '../src/connectors/github.js';
import { linearClosedIssue, linearTracker, verifyLinearSignature } from '../src/connectors/linear.js';
import { webhookTracker } from '../src/connectors/webhooks.js';
import { startActionServer } from './fakes/action-server.js';
import { startFakeGithub } from './fakes/github-server.js';
import { startFakeLinear } from './fakes/linear-server.js';

const HOUR = 3_600_000;

describe('clustering', () => {
  it('measures purity and NMI like the textbook definitions', () => {
    expect(purity([0, 0, 1, 1], ['a', 'a', 'b', 'b'])).toBe(1);
    expect(nmi([0, 0, 1, 1], ['a', 'a', 'b', 'b'])).toBeCloseTo(1, 10);
    expect(purity([0, 0, 0, 0], ['a', 'a', 'b', 'b'])).toBe(0.5);
    expect(nmi([0, 0, 0, 0], ['a', 'a', 'b', 'b'])).toBeCloseTo(0, 10);
    // Manning et al., Introduction to IR, figure 16.4: purity 0.71, NMI 0.36.
    const clusters = [...Array(6).fill(0), ...Array(6).fill(1), ...Array(5).fill(2)];
    const labels = ['x', 'x', 'x', 'x', 'x', 'o', 'x', 'o', 'o', 'o', 'o', 'd', 'x', 'x', 'd', 'd', 'd'];
    expect(purity(clusters, labels)).toBeCloseTo(0.706, 3);
    // sklearn's arithmetic normalisation of the same contingency table.
    expect(nmi(clusters, labels)).toBeCloseTo(0.3646, 3);
  });

  it('joins a close vector to its cluster and starts a new one for a far vector', () => {
    const v = (x: number, y: number) => {
      const n = Math.hypot(x, y);
      return [x / n, y / n];
    };
    const { clusters, assignment } = assignIncrementally([], [v(1, 0), v(0.95, 0.05), v(0, 1), v(0.05, 0.95)], 0.9);
    expect(assignment).toEqual([0, 0, 1, 1]);
    expect(clusters[0]!.size).toBe(2);
    const batch = clusterBatch([v(1, 0), v(0.9, 0.1), v(0, 1), v(0.1, 0.9), v(0.2, 1)], 0.9);
    expect(batch.centroids.length).toBe(2);
    expect(batch.assignment[0]).toBe(batch.assignment[1]);
    expect(batch.assignment[2]).toBe(batch.assignment[4]);
  });

  it('labels clusters with the phrases that set them apart (c-TF-IDF)', () => {
    const phrases = keyPhrases([
      ['I was charged twice for my invoice', 'Charged twice this month, please refund', 'double charge on the invoice'],
      ['The export to CSV fails', 'CSV export button does nothing', 'cannot export runs to CSV'],
    ]);
    expect(phrases[0]!.join(' ')).toMatch(/charged twice|invoice/);
    expect(phrases[1]!.join(' ')).toMatch(/csv|export/);
    expect(phrases[1]!.join(' ')).not.toMatch(/charged/);
  });
});

describe('anomaly detection', () => {
  it('computes Poisson upper tails', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 10);
    // P(X >= 10 | λ = 2) = 4.65e-5 (R: ppois(9, 2, lower.tail = FALSE))
    expect(poissonUpperTail(10, 2)).toBeCloseTo(4.6498e-5, 8);
    expect(poissonUpperTail(3, 2)).toBeCloseTo(0.3233236, 6);
  });

  it('learns hour-of-day and day-of-week seasonality', () => {
    const start = Date.UTC(2026, 5, 1); // a Monday
    const counts = Array.from({ length: 28 * 24 }, (_, i) => {
      const d = new Date(start + i * HOUR);
      const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
      return (d.getUTCHours() >= 9 && d.getUTCHours() < 17 ? 4 : 0) * (weekend ? 0.25 : 1);
    });
    const model = fitSeasonal(counts, start);
    const monday10 = Date.UTC(2026, 5, 29, 10);
    const monday3 = Date.UTC(2026, 5, 29, 3);
    const saturday10 = Date.UTC(2026, 6, 4, 10);
    expect(rateAt(model, monday10)).toBeGreaterThan(3);
    expect(rateAt(model, monday3)).toBeLessThan(0.3);
    expect(rateAt(model, saturday10)).toBeLessThan(rateAt(model, monday10) / 2);
  });

  it('flags a spike against the seasonal baseline, not the busy hour it falls in', () => {
    const start = Date.UTC(2026, 5, 1);
    const times: number[] = [];
    // Four weeks of 3 tickets in each office hour (9-17 UTC), none at night.
    for (let day = 0; day < 28; day++)
      for (let h = 9; h < 17; h++)
        for (let k = 0; k < 3; k++) times.push(start + day * 24 * HOUR + h * HOUR + k * 15 * 60_000);
    const now = start + 28 * 24 * HOUR + 12 * HOUR;
    const normal = [...times];
    for (let k = 0; k < 3; k++) normal.push(now - (k + 1) * 15 * 60_000);
    expect(detectSpike(normal, now, { alpha: 1e-4, minCount: 3 }).spike).toBe(false);
    // 18 in the last hour at noon: a spike.
    const spiky = [...normal];
    for (let k = 0; k < 15; k++) spiky.push(now - (k + 1) * 3 * 60_000);
    const r = detectSpike(spiky, now, { alpha: 1e-4, minCount: 3 });
    expect(r.spike).toBe(true);
    expect(r.observed).toBeGreaterThanOrEqual(12);
    expect(r.expected).toBeLessThan(r.observed / 4);
    // 4 at 3 a.m., when nothing ever comes: also a spike.
    const night = start + 28 * 24 * HOUR + 3 * HOUR;
    const nightly = [...times, night - 60_000, night - 120_000, night - 180_000, night - 240_000];
    expect(detectSpike(nightly, night, { alpha: 1e-4, minCount: 3 }).spike).toBe(true);
    expect(detectSpike(nightly, night, { alpha: 1e-4, minCount: 3 }).history).toEqual({ hours: 664, fullHours: 672 });
  });

  it('stays quiet on a new series, and needs more evidence while its history is short', () => {
    const now = Date.UTC(2026, 5, 29, 12);
    // a fresh workspace: its first tickets, all in the last half hour
    const fresh = Array.from({ length: 6 }, (_, k) => now - (k + 1) * 4 * 60_000);
    expect(detectSpike(fresh, now, { alpha: 1e-3, minCount: 3 })).toMatchObject({
      spike: false,
      history: { hours: 0, fullHours: 672 },
    });
    // two days of one ticket every four hours, then a burst: a spike, on the evidence of 48 hours
    const twoDays = Array.from({ length: 12 }, (_, k) => now - 2 * HOUR - (k + 1) * 4 * HOUR);
    const burst = [...twoDays, ...Array.from({ length: 12 }, (_, k) => now - (k + 1) * 4 * 60_000)];
    const r = detectSpike(burst, now, { alpha: 1e-3, minCount: 3 });
    expect(r.spike).toBe(true);
    expect(r.history.hours).toBe(48);
    // the same short history with a smaller burst needs more than minCount would ask of a long one
    const small = [...twoDays, ...Array.from({ length: 4 }, (_, k) => now - (k + 1) * 4 * 60_000)];
    expect(detectSpike(small, now, { alpha: 1e-3, minCount: 3 }).spike).toBe(false);
    expect(detectSpike(small, now, { alpha: 1e-3, minCount: 3, sinceMs: now - 29 * 24 * HOUR }).spike).toBe(true);
  });
});

describe('customer health', () => {
  const quiet = {
    tickets30d: 0,
    ticketsPrev30d: 0,
    sentiment30d: null,
    sentimentPrev30d: null,
    unresolved: 0,
    reopened: 0,
    slaBreaches: 0,
    churnThreats: 0,
    usageChange: null,
  };
  it('scores a quiet account healthy and explains every deduction', () => {
    expect(scoreHealth(quiet, 'active')).toMatchObject({ score: 100, risk: 'low', churnRisk: false, reasons: [] });
    const bad = scoreHealth(
      {
        ...quiet,
        tickets30d: 6,
        ticketsPrev30d: 1,
        sentiment30d: -0.6,
        sentimentPrev30d: 0.1,
        slaBreaches: 2,
        churnThreats: 1,
        usageChange: -0.5,
      },
      'past_due',
    );
    expect(bad.churnRisk).toBe(true);
    expect(bad.risk).toBe('high');
    expect(bad.reasons.map((r) => r.factor)).toEqual(
      expect.arrayContaining([
        'churn_threat',
        'billing_state',
        'usage_decline',
        'sla_breaches',
        'negative_sentiment',
        'sentiment_decline',
        'ticket_frequency',
      ]),
    );
    expect(bad.score).toBeLessThan(30);
  });
  it('reads usage from the account when it carries it, and degrades gracefully when not', () => {
    expect(usageChangeOf({})).toBeNull();
    expect(usageChangeOf({ usage: { current: 60, previous: 100 } })).toBeCloseTo(-0.4);
    expect(usageChangeOf({ usageChange: -0.3 })).toBe(-0.3);
  });
});

describe('bug reports', () => {
  it('normalises error messages so occurrences group', () => {
    expect(normaliseError('Run 123456 failed: id 0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(
      normaliseError('Run 987654 failed: id 7c9e6679-7425-40de-944b-e07fc1f90ae7'),
    );
    // numbers of any length: line numbers of one error do not split it
    expect(normaliseError('TypeError at app.js:123:7')).toBe(normaliseError('TypeError at app.js:98:12'));
    expect(normaliseError('TypeError at app.js:123:7')).toBe('TypeError at app.js:<n>:<n>');
    expect(normaliseError('Parse error at line 7')).toBe(normaliseError('Parse error at line 1234'));
    // a short standalone number (an HTTP status) says which error it is
    expect(normaliseError('HTTP 502 POST /api/hooks')).not.toBe(normaliseError('HTTP 404 POST /api/hooks'));
  });

  it('builds a structured report from its tickets', () => {
    const fact = (id: string, at: number, subject: string): TicketFact => ({
      id,
      subject,
      createdAt: new Date(Date.UTC(2026, 5, 1) + at * HOUR),
      status: 'open',
      intent: 'bug_report',
      customerId: `c${id}`,
      accountId: 'a1',
      tier: 'pro',
      feature: 'exports',
      route: '/pipelines/:id/export',
      url: null,
      appVersion: '4.12.0',
      errors: ['TypeError: x is undefined'],
      topicId: null,
      reopenCount: 0,
      resolvedAt: null,
      slaBreached: false,
    });
    const facts = [fact('1', 0, 'Export broken'), fact('2', 30, 'CSV export fails')];
    const texts = new Map([
      ['1', 'Export broken\nWhen I click Export CSV on a pipeline the page goes blank. It should download a file.'],
      ['2', 'CSV export fails\nAfter I select a run and press export, nothing happens and the console shows an error.'],
    ]);
    const r = buildReport(
      facts,
      texts,
      {
        customers: [
          { id: 'c1', name: 'Ann', email: 'ann@x.example', accountId: 'a1' },
          { id: 'c2', name: null, email: 'bo@x.example', accountId: 'a1' },
        ],
        accounts: [{ id: 'a1', name: 'Initech', tier: 'pro', mrr: 490 }],
      },
      { kind: 'error', value: 'TypeError: x is undefined' },
    );
    expect(r.title).toBe('Error "TypeError: x is undefined" in exports');
    expect(r.stepsToReproduce[0]).toBe('Open /pipelines/:id/export (app 4.12.0)');
    expect(r.stepsToReproduce.join(' ')).toContain('When I click Export CSV');
    expect(r.expected).toContain('It should download a file');
    expect(r.actual).toContain('TypeError: x is undefined');
    expect(r.environment).toEqual({ appVersions: ['4.12.0'], pages: ['/pipelines/:id/export'], features: ['exports'] });
    expect(r.affected.mrrAtRisk).toBe(490);
    expect(r.frequency.tickets).toBe(2);
    expect(r.linkedTickets.map((t) => t.id)).toEqual(['1', '2']);
  });

  it('verifies Linear and GitHub webhook signatures and reads closed issues', () => {
    const body = JSON.stringify({ action: 'update', type: 'Issue', data: { id: 'i1', state: { type: 'completed' } } });
    const sig = createHmac('sha256', 's3cret').update(body).digest('hex');
    expect(verifyLinearSignature(body, sig, 's3cret')).toBe(true);
    expect(verifyLinearSignature(body, sig, 'other')).toBe(false);
    expect(verifyLinearSignature(`${body} `, sig, 's3cret')).toBe(false);
    expect(verifyGithubSignature(body, `sha256=${sig}`, 's3cret')).toBe(true);
    expect(verifyGithubSignature(body, sig, 's3cret')).toBe(false);
    expect(linearClosedIssue(JSON.parse(body))).toBe('i1');
    expect(
      linearClosedIssue({ action: 'update', type: 'Issue', data: { id: 'i1', state: { type: 'started' } } }),
    ).toBeNull();
    expect(
      githubClosedIssue('issues', { action: 'closed', issue: { number: 7 }, repository: { full_name: 'acme/app' } }),
    ).toEqual({ number: '7', repo: 'acme/app' });
    expect(githubClosedIssue('issues', { action: 'opened', issue: { number: 7 } })).toBeNull();
  });
});

describe('bug trackers', () => {
  const report = {
    reportId: 'r1',
    title: 'Export fails',
    body: '## Steps\n1. Open exports',
    report: { linkedTickets: [{ id: 't1' }] },
  };

  it('posts signed reports to a generic webhook', async () => {
    const server = await startActionServer('s3cret');
    try {
      const tracker = webhookTracker({ url: server.url, secret: 's3cret', now: () => new Date() });
      expect(await tracker.create(report)).toEqual({ id: 'r1', key: null, url: null });
      await tracker.update({ id: 'r1', key: null, url: null }, report, '1 more ticket');
      expect(server.requests.map((r) => [r.signatureValid, r.body.event])).toEqual([
        [true, 'bug_report.created'],
        [true, 'bug_report.updated'],
      ]);
      expect(server.requests[1]!.body).toMatchObject({ id: 'r1', title: 'Export fails', comment: '1 more ticket' });
    } finally {
      await server.close();
    }
  });

  it('turns a refusal by Linear or GitHub into tracker_unavailable', async () => {
    const linear = await startFakeLinear('right-key');
    const github = await startFakeGithub('right-token', { owner: 'acme', repo: 'app' });
    try {
      await expect(
        linearTracker({ apiKey: 'wrong-key', teamId: 't', apiUrl: linear.apiUrl }).create(report),
      ).rejects.toMatchObject({ code: 'tracker_unavailable' });
      await expect(
        githubTracker({ token: 'wrong', owner: 'acme', repo: 'app', apiUrl: github.apiUrl }).create(report),
      ).rejects.toMatchObject({ code: 'tracker_unavailable' });
      await expect(
        githubTracker({ token: 'right-token', owner: 'acme', repo: 'other', apiUrl: github.apiUrl }).create(report),
      ).rejects.toMatchObject({ code: 'tracker_unavailable' });
      expect(linear.issues).toHaveLength(0);
      expect(github.issues).toHaveLength(0);
      const ok = await linearTracker({ apiKey: 'right-key', teamId: 't', apiUrl: linear.apiUrl }).create(report);
      expect(ok).toEqual({ id: linear.issues[0]!.id, key: 'ENG-1', url: linear.issues[0]!.url });
    } finally {
      await linear.close();
      await github.close();
    }
  });
});
