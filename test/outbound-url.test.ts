import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxHasDue } from '../src/channels/outbox.js';
import { loadConfig } from '../src/config.js';
import { linearTracker } from '../src/connectors/linear.js';
import { webhookTracker } from '../src/connectors/webhooks.js';
import { runAction } from '../src/resolution/actions.js';
import {
  addressProblem,
  createOutboundGuard,
  outboundRefusal,
  parseAllowList,
  urlProblem,
  type ResolveAll,
} from '../src/security/outbound-url.js';
import { serveLocally, type LocalServer } from './fakes/http.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

const none = parseAllowList([]);

/** A DNS stand-in: names in `table` resolve to their addresses, anything else is unknown. */
const fakeDns =
  (table: Record<string, string[]>): ResolveAll =>
  async (hostname) => {
    const addrs = table[hostname];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

/** A receiver on loopback that counts what it gets; `redirectTo` answers 307 to that URL instead. */
async function startReceiver(opts: { redirectTo?: string } = {}) {
  const state = { received: [] as { host: string | undefined; body: string }[] };
  const server: LocalServer = await serveLocally((req, raw) => ({
    answer(res) {
      state.received.push({ host: req.headers.host, body: raw });
      if (opts.redirectTo) res.writeHead(307, { location: opts.redirectTo }).end();
      else res.writeHead(204).end();
    },
  }));
  return Object.assign(state, {
    origin: server.origin,
    port: new URL(server.origin).port,
    close: () => server.close(),
  });
}

describe('outbound URL classification (save time)', () => {
  it.each([
    ['http://127.0.0.1/', /loopback address 127\.0\.0\.1/],
    ['http://2130706433/', /loopback address 127\.0\.0\.1/],
    ['http://0x7f.1/', /loopback address 127\.0\.0\.1/],
    ['http://0177.0.0.1/', /loopback address 127\.0\.0\.1/],
    ['http://127.1/', /loopback address 127\.0\.0\.1/],
    ['http://[::1]:8080/', /loopback address ::1/],
    ['http://[::ffff:127.0.0.1]/', /loopback address 127\.0\.0\.1/],
    ['http://[::ffff:a9fe:a9fe]/', /link-local address 169\.254\.169\.254/],
    ['http://[fe80::1]/', /link-local address fe80::1/],
    ['http://[fd12:3456::1]/', /unique-local/],
    ['http://[ff02::1]/', /multicast/],
    ['http://[::]/', /unspecified/],
    ['http://169.254.169.254/latest/meta-data/', /link-local address 169\.254\.169\.254/],
    ['http://10.1.2.3/', /private address 10\.1\.2\.3/],
    ['http://172.16.0.1/', /private address 172\.16\.0\.1/],
    ['http://172.31.255.254/', /private address 172\.31\.255\.254/],
    ['http://192.168.1.1/', /private address 192\.168\.1\.1/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://100.127.255.255/', /carrier-grade NAT/],
    ['http://0.0.0.0:5432/', /unspecified address 0\.0\.0\.0/],
    ['http://0/', /unspecified address 0\.0\.0\.0/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://localhost:5432/', /localhost is a loopback name/],
    ['http://LOCALHOST./', /localhost is a loopback name/],
    ['http://db.localhost/', /loopback name/],
    ['http://user:pw@hooks.example.com/', /credentials/],
    ['https://token@hooks.example.com/', /credentials/],
    ['file:///etc/passwd', /scheme file is not allowed/],
    ['gopher://hooks.example.com:70/_x', /scheme gopher is not allowed/],
    ['ftp://hooks.example.com/', /scheme ftp is not allowed/],
    ['not a url', /not a valid URL/],
  ])('refuses %s', (url, reason) => {
    expect(urlProblem(url, none)).toMatch(reason);
  });

  it.each([
    'https://hooks.example.com/deskmind',
    'http://93.184.216.34/x',
    'https://[2606:4700::1111]/',
    'http://172.32.0.1/',
    'http://100.128.0.1/',
    'http://11.0.0.1:8080/',
  ])('accepts the public %s', (url) => {
    expect(urlProblem(url, none)).toBeNull();
  });

  it('lets the allow-list open addresses, ranges, host names and subdomains, and nothing more', () => {
    const allow = parseAllowList(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'hooks.internal', '*.corp.example', ' ']);
    expect(urlProblem('http://127.0.0.1:9000/', allow)).toBeNull();
    expect(urlProblem('http://2130706433/', allow)).toBeNull();
    expect(urlProblem('http://[::ffff:127.0.0.1]/', allow)).toBeNull(); // the mapped form is the same address
    expect(urlProblem('http://10.200.0.9/', allow)).toBeNull();
    expect(urlProblem('http://[fd00::5]/', allow)).toBeNull();
    expect(urlProblem('http://HOOKS.internal./', allow)).toBeNull();
    expect(urlProblem('http://a.b.corp.example/', allow)).toBeNull();
    expect(urlProblem('http://127.0.0.2/', allow)).toMatch(/loopback/);
    expect(urlProblem('http://172.16.0.1/', allow)).toMatch(/private/);
    expect(urlProblem('http://[::1]/', allow)).toMatch(/loopback/);
    expect(urlProblem('http://localhost/', allow)).toMatch(/loopback name/);
    expect(urlProblem('http://corp.example.evil/', allow)).toBeNull(); // public name: judged after DNS
    // The allow-list never opens other schemes or credentials.
    expect(urlProblem('gopher://127.0.0.1/', allow)).toMatch(/scheme/);
    expect(urlProblem('http://u:p@127.0.0.1/', allow)).toMatch(/credentials/);
    expect(urlProblem('http://169.254.169.254/', parseAllowList(['*']))).toBeNull();
    expect(addressProblem('10.0.0.1', parseAllowList(['10.0.0.0/8']))).toBeNull();
    expect(addressProblem('10.0.0.1', parseAllowList(['::ffff:10.0.0.0/104']))).toBeNull();
    expect(addressProblem('::ffff:127.0.0.1', parseAllowList(['::ffff:127.0.0.1']))).toBeNull();
    expect(addressProblem('::ffff:127.0.0.2', parseAllowList(['::ffff:127.0.0.1']))).toMatch(
      /loopback address 127\.0\.0\.2/,
    );
  });

  it('fails loudly on a bad allow-list entry, in the guard and in the configuration', () => {
    expect(() => parseAllowList(['10.0.0.0/33'])).toThrow(
      /"10\.0\.0\.0\/33" is not an address, a CIDR range or a host name/,
    );
    expect(() => parseAllowList(['http://x'])).toThrow(/not an address/);
    expect(loadConfig({}, { DESKMIND_OUTBOUND_ALLOW: ' 127.0.0.1, 10.0.0.0/8 ,hooks.internal' }).outboundAllow).toEqual(
      ['127.0.0.1', '10.0.0.0/8', 'hooks.internal'],
    );
    expect(loadConfig({}, {}).outboundAllow).toEqual([]);
    expect(() => loadConfig({}, { DESKMIND_OUTBOUND_ALLOW: 'http://10.0.0.1/' })).toThrow(/DESKMIND_OUTBOUND_ALLOW/);
  });
});

describe('outbound calls (delivery time, after DNS)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver?.close());

  it(
    'refuses a name that resolves to a private address, and connects to the checked address when ' + 'allowed',
    async () => {
      const dns = fakeDns({
        'rebind.example.test': ['127.0.0.1'],
        'hooks.example.test': ['127.0.0.1'],
        'mixed.example.test': ['93.184.216.34', '10.0.0.7'],
      });
      const guard = createOutboundGuard({ allow: ['hooks.example.test'], resolve: dns });
      try {
        const before = receiver.received.length;
        const refused = await guard
          .fetch(`http://rebind.example.test:${receiver.port}/x`, { method: 'POST', body: '{}' })
          .catch((e: unknown) => e);
        expect(outboundRefusal(refused)?.reason).toMatch(
          /rebind\.example\.test resolves to a loopback address 127\.0\.0\.1/,
        );
        const mixed = await guard.fetch(`http://mixed.example.test:${receiver.port}/x`).catch((e: unknown) => e);
        expect(outboundRefusal(mixed)?.reason).toMatch(/private address 10\.0\.0\.7/);
        const literal = await guard.fetch(`http://0x7f.1:${receiver.port}/x`).catch((e: unknown) => e);
        expect(outboundRefusal(literal)?.reason).toMatch(/loopback address 127\.0\.0\.1/);
        expect(receiver.received.length).toBe(before);
        // The allowed name reaches the address the guard resolved (the receiver only listens on 127.0.0.1).
        const ok = await guard.fetch(`http://hooks.example.test:${receiver.port}/x`, { method: 'POST', body: 'hello' });
        expect(ok.status).toBe(204);
        expect(receiver.received.at(-1)).toEqual({ host: `hooks.example.test:${receiver.port}`, body: 'hello' });
      } finally {
        await guard.close();
      }
    },
  );

  it('checks every redirect hop, address literals included', async () => {
    const redirector = await startReceiver({ redirectTo: `http://127.0.0.1:${receiver.port}/internal` });
    const guard = createOutboundGuard({
      allow: ['hooks.example.test'],
      resolve: fakeDns({ 'hooks.example.test': ['127.0.0.1'] }),
    });
    try {
      const before = receiver.received.length;
      const err = await guard.fetch(`http://hooks.example.test:${redirector.port}/start`).catch((e: unknown) => e);
      expect(redirector.received).toHaveLength(1);
      expect(outboundRefusal(err)?.reason).toMatch(/loopback address 127\.0\.0\.1/);
      expect(receiver.received.length).toBe(before);
    } finally {
      await guard.close();
      await redirector.close();
    }
  });

  it('turns a refusal into a failed action and a tracker error with the reason', async () => {
    const guard = createOutboundGuard({ allow: [], resolve: fakeDns({ 'backend.example.test': ['192.168.0.10'] }) });
    try {
      const action = {
        url: 'http://backend.example.test/refunds',
        method: 'POST' as const,
        inputSchema: { type: 'object' },
        input: {},
        timeoutMs: 2000,
        successTemplate: 'ok',
        failureTemplate: 'no',
      };
      const result = await runAction(
        action,
        { ticket: { id: 't1' } },
        { signingSecret: 's', playbookId: 'p', fetch: guard.fetch },
      );
      expect(result).toMatchObject({ ok: false, status: null, error: { code: 'network_error' } });
      expect(result.error?.message).toMatch(/private address 192\.168\.0\.10/);
      const report = { reportId: 'r1', title: 'Bug', body: 'x', report: {} };
      await expect(
        webhookTracker(
          { url: 'http://backend.example.test/bugs', secret: 's', now: () => new Date() },
          guard.fetch,
        ).create(report),
      ).rejects.toMatchObject({
        code: 'tracker_unavailable',
        message: expect.stringMatching(/not called: .*private address 192\.168\.0\.10/),
      });
      // Linear's SDK calls the global fetch: a custom apiUrl is checked after DNS before each call.
      await expect(
        linearTracker({
          apiKey: 'k',
          teamId: 't',
          apiUrl: 'https://backend.example.test/graphql',
          checkUrl: (u) => guard.checkResolved(u),
        }).create(report),
      ).rejects.toMatchObject({
        code: 'tracker_unavailable',
        message: expect.stringMatching(/private address 192\.168\.0\.10/),
      });
    } finally {
      await guard.close();
    }
  });
});

describe.each(backends())('outbound URL guard through the API on %s', (kind) => {
  let t: TestDesk;
  let allowed: TestDesk;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const clock = testClock();
  // The delivery-time checks use names resolved by this table; nothing but hooks.ok.test is allowed.
  const dns = fakeDns({ 'hooks.ok.test': ['127.0.0.1'], 'rebind.evil.test': ['127.0.0.1'] });

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await openTestDesk(kind, {
      now: clock.now,
      outbound: createOutboundGuard({ allow: ['hooks.ok.test'], resolve: dns }),
    });
    allowed = await openTestDesk(kind, { config: { outboundAllow: ['127.0.0.0/8', 'localhost'] } });
  });
  afterAll(async () => {
    await t?.close();
    await allowed?.close();
    await receiver?.close();
  });

  it.each([
    'http://127.0.0.1:5432/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:10.0.0.1]/',
    'http://2130706433/',
    'http://localhost/hook',
    'http://admin:pw@hooks.example.com/',
  ])('refuses to save the webhook URL %s and stores nothing', async (url) => {
    const ws = await newWorkspace(t, 'Refused');
    const res = await ws.call('POST', '/api/v1/webhooks', { url, kind: 'webhook' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'outbound_url_refused', issues: [{ path: 'url' }] });
    expect((await ws.call('GET', '/api/v1/webhooks')).body.data).toEqual([]);
  });

  it(
    'refuses a private URL on update, for a Slack endpoint, a playbook action and a bug tracker, changing ' + 'nothing',
    async () => {
      const ws = await newWorkspace(t, 'Updates');
      const created = await ws.call('POST', '/api/v1/webhooks', { url: 'https://hooks.example.com/a', kind: 'slack' });
      expect(created.status).toBe(201);
      const patched = await ws.call('PATCH', `/api/v1/webhooks/${created.body.id}`, { url: 'http://10.0.0.8/slack' });
      expect(patched.status).toBe(422);
      expect(patched.body.code).toBe('outbound_url_refused');
      expect((await ws.call('GET', `/api/v1/webhooks/${created.body.id}`)).body.url).toBe(
        'https://hooks.example.com/a',
      );

      const action = {
        url: 'http://192.168.0.1/refund',
        inputSchema: { type: 'object' },
        successTemplate: 'Done.',
        failureTemplate: 'A teammate will help.',
      };
      const playbook = await ws.call('PUT', '/api/v1/playbooks/refund_request', { kind: 'action', action });
      expect(playbook.status).toBe(422);
      expect(playbook.body).toMatchObject({ code: 'outbound_url_refused', issues: [{ path: 'action.url' }] });
      expect((await ws.call('GET', '/api/v1/playbooks/refund_request')).status).toBe(404);

      for (const bugReports of [
        { webhook: { url: 'http://[fe80::1]/bugs' } },
        { github: { apiUrl: 'http://0.0.0.0:3000' } },
        { linear: { apiUrl: 'http://127.0.0.1:1/graphql' } },
      ]) {
        const res = await ws.call('PATCH', '/api/v1/insights/settings', { bugReports });
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('outbound_url_refused');
      }
      const view = (await ws.call('GET', '/api/v1/insights/settings')).body.bugReports;
      expect([view.webhook.url, view.github.apiUrl, view.linear.apiUrl]).toEqual([null, null, null]);
    },
  );

  it('saves private URLs the allow-list names', async () => {
    const ws = await newWorkspace(allowed, 'Internal');
    const res = await ws.call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9000/hook', kind: 'webhook' });
    expect(res.status).toBe(201);
    expect(
      (await ws.call('PATCH', `/api/v1/webhooks/${res.body.id}`, { url: 'http://localhost:9000/hook' })).status,
    ).toBe(200);
    expect((await ws.call('POST', '/api/v1/webhooks', { url: 'http://10.0.0.1/hook' })).status).toBe(422);
    expect((await ws.call('GET', '/api/v1/webhooks')).body.data).toHaveLength(1);
  });

  it(
    'dead-letters a delivery whose host resolves to a private address, with the reason, and still delivers the ' +
      'others',
    async () => {
      const ws = await newWorkspace(t, 'Rebinding');
      const evil = await ws.call('POST', '/api/v1/webhooks', {
        url: `http://rebind.evil.test:${receiver.port}/hook`,
        name: 'rebinding',
      });
      const good = await ws.call('POST', '/api/v1/webhooks', {
        url: `http://hooks.ok.test:${receiver.port}/hook`,
        name: 'allowed',
      });
      expect([evil.status, good.status]).toEqual([201, 201]); // public-looking names pass the save-time check
      const before = receiver.received.length;
      expect(
        (
          await ws.call('POST', '/api/v1/tickets', {
            subject: 'Hello',
            message: { text: 'Hi' },
            customer: { email: 'c@example.com' },
          })
        ).status,
      ).toBe(201);
      for (let i = 0; i < 10 && (await outboxHasDue(t.desk.database.db, clock.now())); i++)
        await t.desk.deliverOutbox();

      const deliveries = (await ws.call('GET', '/api/v1/deliveries?limit=100')).body.data as {
        id: string;
        endpointId: string;
        status: string;
        attempts: number;
        lastError: string | null;
      }[];
      const toEvil = deliveries.filter((d) => d.endpointId === evil.body.id);
      const toGood = deliveries.filter((d) => d.endpointId === good.body.id);
      expect(toEvil.length).toBeGreaterThan(0);
      expect(toEvil.length).toBe(toGood.length);
      // Refused once, dead at once (no retries), with a clear reason.
      for (const d of toEvil) {
        expect(d).toMatchObject({ status: 'dead', attempts: 1 });
        expect(d.lastError).toMatch(
          /refused by the outbound URL guard: rebind\.evil\.test resolves to a loopback address 127\.0\.0\.1/,
        );
      }
      const detail = (await ws.call('GET', `/api/v1/deliveries/${toEvil[0]!.id}`)).body;
      expect(detail.attemptLog).toHaveLength(1);
      expect(detail.attemptLog[0]).toMatchObject({
        ok: false,
        statusCode: null,
        error: expect.stringMatching(/refused/),
      });
      // The allowed endpoint got every delivery; the refused one reached nothing.
      for (const d of toGood) expect(d.status).toBe('delivered');
      const got = receiver.received.slice(before);
      expect(got).toHaveLength(toGood.length);
      expect(got.every((r) => r.host === `hooks.ok.test:${receiver.port}`)).toBe(true);
    },
  );

  it('refuses at delivery an endpoint saved before the allow-list was narrowed', async () => {
    const ws = await newWorkspace(t, 'Narrowed');
    // As stored by an earlier allow-list: the save-time check would refuse it today.
    await t.desk.database.executeSql(
      `insert into webhook_endpoints (workspace_id, kind, url, event_types, enabled, secret, created_at, ` +
        `updated_at) values ($1, 'webhook', $2, '{}', true, 'whsec_x', now(), now())`,
      [ws.workspaceId, `http://127.0.0.1:${receiver.port}/hook`],
    );
    const before = receiver.received.length;
    await ws.call('POST', '/api/v1/tickets', {
      subject: 'Hello',
      message: { text: 'Hi' },
      customer: { email: 'd@example.com' },
    });
    for (let i = 0; i < 10 && (await outboxHasDue(t.desk.database.db, clock.now())); i++) await t.desk.deliverOutbox();
    const deliveries = (await ws.call('GET', '/api/v1/deliveries?limit=100')).body.data as {
      status: string;
      lastError: string | null;
    }[];
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) {
      expect(d.status).toBe('dead');
      expect(d.lastError).toMatch(/loopback address 127\.0\.0\.1/);
    }
    expect(receiver.received.length).toBe(before);
  });
});
