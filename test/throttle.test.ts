/**
 * Credential guessing is throttled with a growing wait, never a lockout (src/security/throttle.ts): console
 * logins per account and address, per account and per address; widget user hashes; unknown API keys. The
 * clock is injected: waits pass by advancing it.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROTTLES, throttleDelayMs } from '../src/security/throttle.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

describe('throttleDelayMs', () => {
  it('is free for the first attempts, then doubles up to its cap', () => {
    const r = THROTTLES.loginAccountAddress;
    expect([5, 6, 7, 8].map((n) => throttleDelayMs(r, n))).toEqual([0, 1000, 2000, 4000]);
    expect(throttleDelayMs(r, 10_000)).toBe(r.maxMs);
    expect(throttleDelayMs(THROTTLES.loginAccount, 10_000)).toBe(60_000);
  });
});

describe.each(backends())('throttling of credential guessing on %s', (kind) => {
  const clock = testClock();
  let t: TestDesk;
  let a: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    a = await newWorkspace(t, 'Throttled');
    await a.call('POST', '/api/v1/agents', { name: 'Ann', email: 'ann@throttle.example', password: 'correct horse' });
  });
  afterAll(async () => t?.close());

  const login = (password: string, ip = '203.0.113.1', email = 'ann@throttle.example') =>
    t.server.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email, password } });

  it('makes repeated wrong passwords wait longer and longer, refuses unchecked while waiting, and audits', async () => {
    for (let i = 0; i < THROTTLES.loginAccountAddress.free; i++) expect((await login('wrong')).statusCode).toBe(401);
    expect((await login('wrong')).statusCode).toBe(401); // the first failure past the free ones: wait 1 s
    const refused = await login('correct horse'); // even the right password is not checked while waiting
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('too_many_attempts');
    expect(refused.headers['retry-after']).toBe('1');
    clock.advance(1000);
    expect((await login('wrong')).statusCode).toBe(401);
    expect((await login('wrong')).headers['retry-after']).toBe('2');
    // Another address is not held up by this one's guessing: the victim still logs in.
    expect((await login('correct horse', '198.51.100.7')).statusCode).toBe(200);
    clock.advance(2000);
    expect((await login('correct horse')).statusCode).toBe(200);
    // A success forgets the account's failures.
    expect((await login('wrong')).statusCode).toBe(401);
    expect((await login('wrong')).statusCode).toBe(401);
    const audit = await a.call('GET', '/api/v1/audit-log?action=auth.login_throttled');
    expect(audit.body.entries.length).toBeGreaterThanOrEqual(2);
    expect(audit.body.entries[0]).toMatchObject({ actorType: 'system', data: { email: 'ann@throttle.example' } });
    expect(JSON.stringify(audit.body.entries)).not.toContain('wrong');
  });

  it('caps the wait: never a lockout, and the failures are forgotten after an hour', async () => {
    const ip = '203.0.113.9';
    let waits = 0;
    for (let i = 0; i < 40; i++) {
      const res = await login('wrong', ip);
      if (res.statusCode === 429) {
        waits = Number(res.headers['retry-after']);
        expect(waits).toBeLessThanOrEqual(THROTTLES.loginAccountAddress.maxMs / 1000);
        clock.advance(waits * 1000);
      }
    }
    expect(waits).toBe(THROTTLES.loginAccountAddress.maxMs / 1000);
    clock.advance(THROTTLES.loginAccountAddress.forgetMs + 1);
    expect((await login('correct horse', ip)).statusCode).toBe(200);
  });

  it('throttles one address spraying many accounts', async () => {
    const ip = '203.0.113.50';
    for (let i = 0; i < THROTTLES.loginAddress.free + 1; i++)
      expect((await login('guess', ip, `user${i}@spray.example`)).statusCode).toBe(401);
    const res = await login('guess', ip, 'someone-else@spray.example');
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('too_many_attempts');
    clock.advance(60 * 60_000 + 1);
  });

  it('throttles widget user hashes per user id, with an audit entry', async () => {
    const widget = (await a.call('GET', '/api/v1/settings/widget')).body;
    const session = (hash: string, ip = '203.0.113.77') =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/widget/session',
        remoteAddress: ip,
        payload: { widgetId: widget.publicId, userId: 'u-1', userHash: hash },
      });
    for (let i = 0; i <= THROTTLES.widgetUser.free; i++)
      expect((await session('0'.repeat(64))).json().code).toBe('identity_unverified');
    const right = createHmac('sha256', widget.secret).update('u-1').digest('hex');
    const refused = await session(right, '198.51.100.8');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('too_many_attempts');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(THROTTLES.widgetUser.maxMs);
    expect((await session(right)).statusCode).toBe(200);
    expect(
      (await a.call('GET', '/api/v1/audit-log?action=widget.identity_throttled')).body.entries.length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('throttles unknown API keys from one address, never a valid key', async () => {
    const call = (key: string, ip = '203.0.113.99') =>
      t.server.inject({
        method: 'GET',
        url: '/api/v1/tickets',
        remoteAddress: ip,
        headers: { authorization: `Bearer ${key}` },
      });
    for (let i = 0; i <= THROTTLES.apiKeyAddress.free; i++) expect((await call(`dm_guess_${i}`)).statusCode).toBe(401);
    const refused = await call('dm_guess_next');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('too_many_attempts');
    expect(refused.headers['retry-after']).toBe('1');
    expect((await call(a.apiKey)).statusCode).toBe(200);
    clock.advance(1000);
    expect((await call('dm_guess_later')).statusCode).toBe(401);
  });
});
