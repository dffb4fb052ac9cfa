import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { backends, openTestDesk, sessionHeaders, type TestDesk } from './helpers.js';

describe.each(backends())('agent workflow on %s', (kind) => {
  let t: TestDesk;
  let key: string;
  let wsId: string;
  let session: { cookie: string; 'x-csrf-token': string };
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, asAgent = false) => {
    const headers = asAgent ? session : { authorization: `Bearer ${key}` };
    const res = await t.server.inject({
      method,
      url,
      headers,
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? (res.json() as any) : null };
  };
  const open = async (subject: string, text: string, email = 'gavin@hooli.example') =>
    (
      await call('POST', '/api/v1/tickets', {
        subject,
        message: { text },
        customer: { email, name: 'Gavin Belson', accountExternalId: 'acc_hooli' },
      })
    ).body.ticket;

  beforeAll(async () => {
    t = await openTestDesk(kind);
    const demo = await seedDemo(t.desk, { tickets: false });
    ({ apiKey: key, workspaceId: wsId } = demo);
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: demo.agentEmail, password: demo.agentPassword },
    });
    session = sessionHeaders(login);
  });
  afterAll(async () => t?.close());

  it('lets an agent claim an unassigned ticket, and not steal an assigned one', async () => {
    const ticket = await open('Question', 'How do I connect Slack?');
    const claimed = await call('POST', `/api/v1/tickets/${ticket.id}/claim`, {}, true);
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ status: 'open' });
    const me = (await call('GET', '/api/v1/auth/me', undefined, true)).body.agent;
    expect(claimed.body.assigneeId).toBe(me.id);
    const other = (await call('GET', '/api/v1/agents')).body.data.find((a: any) => a.id !== me.id);
    expect((await call('POST', `/api/v1/tickets/${ticket.id}/claim`, { agentId: other.id })).status).toBe(409);
  });

  it('fills macros in with the customer and sends them as the agent', async () => {
    const bad = await call('POST', '/api/v1/macros', { name: 'Oops', body: 'Hi {{customer.nmae}}' });
    expect(bad.status).toBe(400);
    const macro = (
      await call('POST', '/api/v1/macros', {
        name: 'Thanks',
        body:
          'Hi {{customer.firstName}}, thanks for writing about "{{ticket.subject}}". You are on the ' +
          '{{account.plan}} plan.',
      })
    ).body;
    expect((await call('POST', '/api/v1/macros', { name: 'thanks', body: 'x' })).status).toBe(409);
    const ticket = await open('Export question', 'Can I export runs?', 'macro@hooli.example');
    const preview = (await call('POST', `/api/v1/tickets/${ticket.id}/macros/${macro.id}`, {})).body;
    expect(preview.text).toBe('Hi Gavin, thanks for writing about "Export question". You are on the Pro plan.');
    expect(preview.message).toBeNull();
    const sent = (await call('POST', `/api/v1/tickets/${ticket.id}/macros/${macro.id}`, { send: true }, true)).body;
    expect(sent.message).toMatchObject({ authorType: 'agent', visibility: 'public', text: preview.text });
    expect(sent.ticket.firstResponseAt).not.toBeNull();
    expect((await call('GET', '/api/v1/macros')).body.data).toHaveLength(1);
  });

  it('merges a duplicate into the original', async () => {
    const original = await open('Runs failing', 'My runs fail since this morning', 'dup@hooli.example');
    const duplicate = await open(
      'Runs failing again',
      'Did you see my other message? Runs still fail.',
      'dup@hooli.example',
    );
    await call('PATCH', `/api/v1/tickets/${duplicate.id}`, { tags: ['pipelines'] });
    const merged = await call('POST', `/api/v1/tickets/${duplicate.id}/merge`, { into: original.id });
    expect(merged.status).toBe(200);
    expect(merged.body.tags).toContain('pipelines');
    const target = (await call('GET', `/api/v1/tickets/${original.id}`)).body;
    expect(target.messages.map((m: any) => m.text)).toEqual([
      'My runs fail since this morning',
      'Did you see my other message? Runs still fail.',
    ]);
    expect(target.timeline.some((e: any) => e.type === 'ticket.merged')).toBe(true);
    const source = (await call('GET', `/api/v1/tickets/${duplicate.id}`)).body;
    expect(source.status).toBe('closed');
    expect(source.tags).toContain('merged');
    expect((await call('POST', `/api/v1/tickets/${original.id}/merge`, { into: original.id })).status).toBe(400);
    expect(
      (await call('GET', `/api/v1/tickets?q=${encodeURIComponent('see my other message')}`)).body.data.map(
        (x: any) => x.id,
      ),
    ).toContain(original.id);
  });

  it('records verdicts on AI answers and lowers the usefulness of wrong ones', async () => {
    const ticket = await open('Invoices', 'Where can I download my invoices?', 'verdict@hooli.example');
    await t.desk.runPipeline(wsId, ticket.id, 'created');
    const detail = (await call('GET', `/api/v1/tickets/${ticket.id}`)).body;
    expect(detail.status).toBe('resolved');
    const source = detail.decisions.find((d: any) => d.stage === 'resolve').result.sources[0];
    const before = (await call('GET', `/api/v1/articles/${source.articleId}`)).body.usefulness;
    const wrong = await call('POST', `/api/v1/tickets/${ticket.id}/ai-feedback`, {
      verdict: 'wrong',
      note: 'They asked about a VAT invoice',
    });
    expect(wrong.body.articles).toEqual([source.articleId]);
    const after = (await call('GET', `/api/v1/articles/${source.articleId}`)).body.usefulness;
    expect(after).toBeCloseTo(before * 0.85, 5);
    const timeline = (await call('GET', `/api/v1/tickets/${ticket.id}`)).body.timeline;
    expect(timeline.find((e: any) => e.type === 'outcome.recorded')).toMatchObject({
      actorType: 'integration',
      data: { outcome: 'ai_answer_wrong' },
    });
    const plain = await open('Hi', 'Just saying hello', 'none@hooli.example');
    expect((await call('POST', `/api/v1/tickets/${plain.id}/ai-feedback`, { verdict: 'good' })).status).toBe(404);
  });
});
