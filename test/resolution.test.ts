import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildActionInput, runAction, signPayload, verifySignature } from '../src/resolution/actions.js';
import { composeAnswer, toPassages } from '../src/resolution/compose.js';
import { checkGrounding, isGrounded } from '../src/resolution/grounding.js';
import { createLlmProvider, draftReply, type LlmProvider } from '../src/resolution/llm.js';
import { createRedactor, ibanValid, luhnValid } from '../src/resolution/redact.js';
import type { PlaybookAction } from '../src/resolution/schemas.js';
import { playbookRoutes } from '../src/server/routes/playbooks/index.js';
import { startActionServer, type FakeActionServer } from './fakes/action-server.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-server.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

const passages = JSON.parse(readFileSync(new URL('./fixtures/resolution/passages.json', import.meta.url), 'utf8'));
const jane = { id: 'c0a8a8e2-0000-4000-8000-000000000001', name: 'Jane Doe', email: 'jane.doe@example.com' };
const proAccount = { plan: 'Pro', billingState: 'active', tier: 'pro' };
const answerPlaybook = { kind: 'answer' as const, template: null, action: null };

describe.each(backends())('playbooks API on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    if (!t.server.hasRoute({ method: 'GET', url: '/api/v1/playbooks' }))
      await t.server.register(playbookRoutes(t.desk), { prefix: '/api/v1' });
    ws = await newWorkspace(t);
  });
  afterAll(async () => t?.close());

  const refundAction = {
    url: 'https://backend.example/refunds',
    inputSchema: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
    input: { email: '{{customer.email}}', ticket: '{{ticket.id}}' },
    successTemplate: 'Hi {{customer.firstName}}, refund {{action.result.refundId}} is on its way.',
    failureTemplate: 'Hi {{customer.firstName}}, a teammate will look at your refund.',
  };

  it('creates, replaces, reads, lists and deletes a playbook by intent', async () => {
    const created = await ws.call('PUT', '/api/v1/playbooks/password_reset', {
      kind: 'answer',
      mode: 'auto',
      template: 'Hi {{customer.firstName}},\n\n{{answer}}',
      threshold: 0.8,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      intent: 'password_reset',
      kind: 'answer',
      mode: 'auto',
      threshold: 0.8,
      action: null,
    });
    const replaced = await ws.call('PUT', '/api/v1/playbooks/password_reset', {
      kind: 'answer',
      template: 'Hello {{customer.name | there}}! {{answer}}',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: created.body.id, mode: 'shadow', threshold: null });
    const action = await ws.call('PUT', '/api/v1/playbooks/refund_request', {
      kind: 'action',
      mode: 'auto',
      action: refundAction,
    });
    expect(action.status).toBe(201);
    expect(action.body.action).toMatchObject({ method: 'POST', timeoutMs: 5000, input: refundAction.input });
    expect((await ws.call('GET', '/api/v1/playbooks/refund_request')).body.action.url).toBe(refundAction.url);
    const list = await ws.call('GET', '/api/v1/playbooks');
    expect(list.body.data.map((p: { intent: string }) => p.intent)).toEqual(['password_reset', 'refund_request']);
    expect((await ws.call('DELETE', '/api/v1/playbooks/refund_request')).status).toBe(204);
    expect((await ws.call('GET', '/api/v1/playbooks/refund_request')).status).toBe(404);
    expect((await ws.call('DELETE', '/api/v1/playbooks/refund_request')).status).toBe(404);
  });

  it.each([
    [
      'an unknown placeholder',
      { kind: 'answer', template: 'Hi {{customer.nmae}}, {{answer}}' },
      'template',
      /unknown placeholder \{\{customer\.nmae\}\}/,
    ],
    [
      'a prototype property as placeholder',
      { kind: 'handoff', template: 'Hi {{constructor}}' },
      'template',
      /unknown placeholder \{\{constructor\}\}/,
    ],
    [
      'an answer template without {{answer}}',
      { kind: 'answer', template: 'Hi {{customer.firstName}}' },
      'template',
      /must contain \{\{answer\}\}/,
    ],
    [
      'unbalanced braces',
      { kind: 'handoff', template: 'Hi {{customer.firstName}, thanks' },
      'template',
      /unbalanced braces/,
    ],
    [
      '{{answer}} in an action template',
      { kind: 'action', action: { ...refundAction, successTemplate: 'Done: {{answer}}' } },
      'action.successTemplate',
      /unknown placeholder \{\{answer\}\}/,
    ],
    [
      'an action result in a failure template',
      { kind: 'action', action: { ...refundAction, failureTemplate: 'Failed {{action.result.id}}' } },
      'action.failureTemplate',
      /unknown placeholder/,
    ],
    [
      'an unknown placeholder in the input mapping',
      { kind: 'action', action: { ...refundAction, input: { user: { mail: '{{customer.mail}}' } } } },
      'action.input.user.mail',
      /unknown placeholder/,
    ],
    [
      'an invalid JSON Schema',
      { kind: 'action', action: { ...refundAction, inputSchema: { type: 'strnig' } } },
      'action.inputSchema',
      /not a valid JSON Schema/,
    ],
    ['an action playbook without an action', { kind: 'action' }, 'action', /needs an action/],
    ['a handoff playbook with an action', { kind: 'handoff', action: refundAction }, 'action', /has no action/],
  ])('refuses %s with a clear error', async (_name, body, path, message) => {
    const res = await ws.call('PUT', '/api/v1/playbooks/some_intent', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    const issue = res.body.issues.find((i: { path: string }) => i.path === path);
    expect(issue?.message).toMatch(message);
    expect(res.body.detail).toMatch(message);
  });

  it('refuses bad bodies and intents through the schema', async () => {
    expect((await ws.call('PUT', '/api/v1/playbooks/x', { kind: 'sometimes' })).status).toBe(400);
    expect((await ws.call('PUT', '/api/v1/playbooks/x', { kind: 'answer', threshold: 2 })).status).toBe(400);
    expect(
      (
        await ws.call('PUT', '/api/v1/playbooks/x', {
          kind: 'action',
          action: { ...refundAction, url: 'ftp://x.example/a' },
        })
      ).status,
    ).toBe(400);
    expect((await ws.call('PUT', '/api/v1/playbooks/bad%20intent!', { kind: 'handoff' })).status).toBe(400);
  });

  it('lets agents read and only admins write', async () => {
    const key = await ws.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' });
    const agent = { authorization: `Bearer ${key.body.secret}` };
    await ws.call('PUT', '/api/v1/playbooks/billing_question', { kind: 'handoff' });
    const read = await t.server.inject({ method: 'GET', url: '/api/v1/playbooks/billing_question', headers: agent });
    expect(read.statusCode).toBe(200);
    const write = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/playbooks/billing_question',
      headers: agent,
      payload: { kind: 'answer' },
    });
    expect(write.statusCode).toBe(403);
    const del = await t.server.inject({ method: 'DELETE', url: '/api/v1/playbooks/billing_question', headers: agent });
    expect(del.statusCode).toBe(403);
  });

  it('keeps playbooks of different workspaces apart', async () => {
    const other = await newWorkspace(t, 'Globex');
    await ws.call('PUT', '/api/v1/playbooks/cancel_subscription', {
      kind: 'handoff',
      template: 'Thanks {{customer.firstName}}!',
    });
    expect((await other.call('GET', '/api/v1/playbooks/cancel_subscription')).status).toBe(404);
    expect((await other.call('DELETE', '/api/v1/playbooks/cancel_subscription')).status).toBe(404);
    expect((await other.call('PUT', '/api/v1/playbooks/cancel_subscription', { kind: 'answer' })).status).toBe(201);
    expect((await other.call('GET', '/api/v1/playbooks')).body.data.map((p: { intent: string }) => p.intent)).toEqual([
      'cancel_subscription',
    ]);
    expect((await ws.call('GET', '/api/v1/playbooks/cancel_subscription')).body.kind).toBe('handoff');
  });
});

describe('playbook actions', () => {
  const secret = 'whsec_test_secret';
  let backend: FakeActionServer;
  let action: PlaybookAction;
  const context = { ticket: { id: 'tkt_1' }, customer: jane, account: proAccount };
  const now = () => new Date();
  beforeAll(async () => {
    backend = await startActionServer(secret);
    action = {
      url: backend.url,
      method: 'POST',
      inputSchema: {
        type: 'object',
        required: ['email', 'plan'],
        properties: {
          email: { type: 'string', format: 'email' },
          plan: { type: 'string' },
          reason: { type: 'string' },
        },
      },
      input: {
        email: '{{customer.email}}',
        plan: '{{account.plan}}',
        reason: 'duplicate charge on ticket {{ticket.id}}',
      },
      // Long enough for any loaded machine; the timeout test below uses its own short one.
      timeoutMs: 60_000, // the most an action may wait
      successTemplate:
        'Hi {{customer.firstName}}, refund {{action.result.refund.id}} of {{action.result.refund.amount}} is on ' +
        'its way.',
      failureTemplate:
        "Hi {{customer.firstName}}, we couldn't issue the refund automatically; a teammate will follow up.",
    };
  });
  afterAll(async () => backend?.close());

  it('POSTs the mapped input, signed, with an idempotency key, and returns the result', async () => {
    backend.behave({ status: 200, body: { refund: { id: 're_123', amount: '$49.00' } } });
    const result = await runAction(action, context, { signingSecret: secret, playbookId: 'pb_1', now });
    expect(result).toMatchObject({ ok: true, status: 200, result: { refund: { id: 're_123' } } });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const req = backend.requests.at(-1)!;
    expect(req.signatureValid).toBe(true);
    expect(req.body).toEqual({
      email: 'jane.doe@example.com',
      plan: 'Pro',
      reason: 'duplicate charge on ticket tkt_1',
    });
    expect(req.headers['idempotency-key']).toBe('tkt_1:pb_1');
    expect(req.headers['x-deskmind-signature']).toBe(
      signPayload(secret, req.headers['x-deskmind-timestamp'] as string, req.raw),
    );
    const reply = composeAnswer({
      playbook: { kind: 'action', template: null, action },
      question: 'refund',
      passages: [],
      customer: jane,
      account: proAccount,
      actionResult: result,
    });
    expect(reply.text).toBe('Hi Jane, refund re_123 of $49.00 is on its way.');
    expect(reply.sentences.every((s) => s.source === 'template')).toBe(true);
  });

  it('refuses an input that does not match the schema before calling', async () => {
    const before = backend.requests.length;
    const result = await runAction(
      action,
      { ...context, customer: { name: 'No Email' } },
      { signingSecret: secret, playbookId: 'pb_1', now },
    );
    expect(result).toMatchObject({ ok: false, status: null, error: { code: 'invalid_input' } });
    expect(result.error!.message).toMatch(/email/);
    expect(backend.requests.length).toBe(before);
    expect(buildActionInput(action, { customer: { name: 'No Email' } })).toEqual({
      reason: 'duplicate charge on ticket ',
    });
  });

  it('times out a slow backend', async () => {
    // The backend never answers within the test, so only the action's own timeout can end the call.
    backend.behave({ status: 200, body: {}, delayMs: 600_000 });
    const result = await runAction({ ...action, timeoutMs: 200 }, context, {
      signingSecret: secret,
      playbookId: 'pb_1',
      now,
    });
    expect(result).toMatchObject({ ok: false, status: null, error: { code: 'timeout' } });
  });

  it('reports a 500 without throwing, and the reply uses the failure template', async () => {
    backend.behave({ status: 500, body: { error: 'database down' } });
    const result = await runAction(action, context, { signingSecret: secret, playbookId: 'pb_1', now });
    expect(result).toMatchObject({ ok: false, status: 500, error: { code: 'http_error' } });
    expect(result.error!.message).toMatch(/HTTP 500/);
    const reply = composeAnswer({
      playbook: { kind: 'action', template: null, action },
      question: '',
      passages: [],
      customer: { name: null },
      actionResult: result,
    });
    expect(reply.text).toBe("Hi there, we couldn't issue the refund automatically; a teammate will follow up.");
  });

  it('reports an unreachable backend as a network error', async () => {
    const result = await runAction({ ...action, url: 'http://127.0.0.1:9/nothing' }, context, {
      signingSecret: secret,
      playbookId: 'pb_1',
      now,
    });
    expect(result).toMatchObject({ ok: false, status: null, error: { code: 'network_error' } });
  });

  it('verifies signatures: wrong secret, changed body and stale timestamps fail', () => {
    const at = new Date('2026-06-01T09:00:00Z');
    const ts = String(at.getTime() / 1000);
    const body = '{"email":"a@b.example"}';
    const header = signPayload(secret, ts, body);
    expect(verifySignature(secret, ts, body, header, 300, at)).toBe(true);
    expect(verifySignature(secret, ts, body, `v1=deadbeef, ${header}`, 300, at)).toBe(true);
    expect(verifySignature('other', ts, body, header, 300, at)).toBe(false);
    expect(verifySignature(secret, ts, body.replace('a@', 'x@'), header, 300, at)).toBe(false);
    expect(verifySignature(secret, ts, body, header, 300, new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifySignature(secret, undefined, body, header, 300, at)).toBe(false);
  });
});

describe('answer composition', () => {
  const parsed = toPassages(passages);

  it('quotes the best passage, personalised and grounded, with its sources', () => {
    const answer = composeAnswer({
      playbook: answerPlaybook,
      question: 'I was charged twice this month, can I get a refund for the duplicate?',
      passages,
      customer: jane,
      account: proAccount,
    });
    expect(answer.text.startsWith('Hi Jane,\n\n')).toBe(true);
    expect(answer.text).toContain('we refund the duplicate charge automatically within 5 business days');
    expect(answer.text).toContain("You're on the Pro plan.");
    expect(answer.sources).toEqual([{ articleId: 'art-refunds', title: 'Refunds and duplicate charges' }]);
    expect(answer.sentences.filter((s) => s.source === 'art-refunds').length).toBeGreaterThan(0);
    expect(answer.sentences.find((s) => s.text.includes('Pro plan'))!.source).toBe('template');
    expect(answer.groundingScore).toBe(1);
    expect(answer.coverage).toBeGreaterThan(0.5);
    expect(isGrounded(answer.sentences, parsed)).toBe(true);
    expect(answer.html).toContain('<p>Hi Jane,</p>');
  });

  it('accepts retrieval hits, keeps a list of steps whole, and falls back to "there"', () => {
    const hit = passages[1];
    expect(hit.articleTitle).toBe('Reset your password');
    const answer = composeAnswer({
      playbook: { ...answerPlaybook, template: 'Hello {{customer.firstName}}!\n\n{{answer}}' },
      question: 'How do I reset my password?',
      passages: [hit],
      customer: { name: null },
      account: null,
    });
    const steps =
      /^Hello there!\n\nTo reset your password:\n\n1\. Open the sign-in page and click Forgot password\./.source +
      /\n2\. Enter the email address of your account\.\n3\. Follow the link/.source;
    expect(answer.text).toMatch(new RegExp(steps));
    expect(answer.text).not.toContain('plan');
    expect(answer.sources).toEqual([{ articleId: 'art-password', title: 'Reset your password' }]);
    expect(answer.html).toContain('<ol><li>Open the sign-in page and click Forgot password.</li>');
  });

  it('picks the relevant sentences of a long passage and escapes HTML', () => {
    const long = {
      articleId: 'art-long',
      title: 'Billing FAQ',
      score: 1,
      text: [
        'Invoices are created on the first day of each month.',
        'You can download every invoice as a PDF from Settings > Billing.',
        'We accept Visa, Mastercard and American Express.',
        'Taxes are calculated from the billing address of the account.',
        'To change the billing email, open Settings > Billing and edit the contact.',
        'Plans can be changed at any time and the difference is prorated.',
        'Enterprise customers can pay by bank transfer <b>on request</b>.',
      ].join(' '),
    };
    const answer = composeAnswer({
      playbook: answerPlaybook,
      question: 'Where can I download my invoices as PDF?',
      passages: [long],
      customer: jane,
    });
    expect(answer.text).toContain('You can download every invoice as a PDF from Settings > Billing.');
    expect(answer.text).not.toContain('American Express');
    expect(answer.html).toContain('Settings &gt; Billing');
  });

  it('acknowledges handoffs and fills account placeholders with fallbacks', () => {
    const handoff = composeAnswer({
      playbook: { kind: 'handoff', template: null, action: null },
      question: 'refund!',
      passages,
      customer: jane,
    });
    expect(handoff.text).toBe('Hi Jane,\n\nThanks for reaching out. A teammate will get back to you shortly.');
    expect(handoff.sources).toEqual([]);
    const template =
      'Hi {{customer.firstName}}, your {{account.plan}} plan is {{account.billingState}}; owner {{account.name | ' +
      'your admin}}.';
    expect(
      composeAnswer({
        playbook: { kind: 'handoff', template, action: null },
        question: '',
        passages: [],
        customer: { name: 'sam' },
        account: proAccount,
      }).text,
    ).toBe('Hi Sam, your Pro plan is active; owner your admin.');
    expect(
      composeAnswer({ playbook: { kind: 'handoff', template, action: null }, question: '', passages: [] }).text,
    ).toBe('Hi there, your current plan is unknown; owner your admin.');
  });

  it('builds action input from the mapping, leaving out values the context lacks', () => {
    const input = buildActionInput(
      {
        input: {
          account: '{{account.externalId}}',
          plan: '{{account.plan}}',
          note: 'plan {{account.plan}}',
          fixed: 3,
          list: ['{{customer.email}}'],
        },
      },
      { customer: jane, account: { ...proAccount } },
    );
    expect(input).toEqual({ plan: 'Pro', note: 'plan Pro', fixed: 3, list: ['jane.doe@example.com'] });
  });

  it('drops headings written as plain lines but keeps a lone instruction', () => {
    const chunk = {
      articleId: 'art-2fa',
      title: 'Two-factor authentication',
      score: 1,
      text: 'Lost your authenticator\n\nSign in with one of your recovery codes. Each recovery code works once.',
    };
    const answer = composeAnswer({
      playbook: { ...answerPlaybook, template: '{{answer}}' },
      question: 'I lost my authenticator phone',
      passages: [chunk],
    });
    expect(answer.text).toBe('Sign in with one of your recovery codes. Each recovery code works once.');
    const lone = { ...chunk, text: 'Go to Settings → Security → Recovery codes' };
    expect(
      composeAnswer({
        playbook: { ...answerPlaybook, template: '{{answer}}' },
        question: 'where are recovery codes',
        passages: [lone],
      }).text,
    ).toBe(lone.text);
  });

  it('has nothing to say without passages', () => {
    const answer = composeAnswer({
      playbook: answerPlaybook,
      question: 'What is the meaning of life?',
      passages: [],
      customer: jane,
    });
    expect(answer.sources).toEqual([]);
    expect(answer.groundingScore).toBe(0);
    expect(answer.coverage).toBe(0);
  });

  it('finds invented facts, changed numbers and wrong sources ungrounded', () => {
    const sentences = (text: string, source = 'art-refunds') => [
      { text: 'Hi Jane,', source: 'template' },
      { text, source },
    ];
    expect(isGrounded(sentences('We refund the duplicate charge automatically within 5 business days.'), parsed)).toBe(
      true,
    );
    expect(isGrounded(sentences('We offer a 90-day money-back guarantee on every plan.'), parsed)).toBe(false);
    expect(isGrounded(sentences('We refund the duplicate charge automatically within 10 business days.'), parsed)).toBe(
      false,
    );
    expect(
      isGrounded(
        sentences('We refund the duplicate charge automatically within 5 business days.', 'art-export'),
        parsed,
      ),
    ).toBe(false);
    expect(isGrounded(sentences('Monthly plans are refunded after the billing date.'), parsed)).toBe(true);
    expect(isGrounded(sentences('Refunds are not sent back to the card that paid the invoice.'), parsed)).toBe(false);
    const report = checkGrounding(
      sentences('We refund the duplicate charge automatically within 10 business days.'),
      parsed,
    );
    expect(report.sentences[0]).toMatchObject({ supported: false, reason: 'number_missing' });
  });
});

describe('LLM path', () => {
  let fake: FakeOpenAi;
  let llm: LlmProvider;
  const question =
    'Hi, I am Jane Doe (jane.doe@example.com, +44 20 7946 0958). My card 4242 4242 4242 4242 was charged twice ' +
    'for the same invoice. Can I get a refund for the duplicate?';
  const input = () => ({
    playbook: { template: null },
    question,
    passages,
    customer: jane,
    account: proAccount,
    ticket: { id: 'tkt_9' },
  });
  const grounded =
    'If you were charged twice for the same invoice, the duplicate charge is refunded automatically within 5 ' +
    'business days [1]. The refund goes back to the card that paid the invoice [1].';

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    llm = createLlmProvider(
      loadConfig({ llmBaseUrl: fake.baseUrl, llmModel: 'fake-model', llmTimeoutMs: 30_000 }, {}),
    )!;
  });
  afterAll(async () => fake?.close());

  it('is off when no endpoint is configured', () => {
    expect(createLlmProvider(loadConfig({}, {}))).toBeNull();
    expect(llm.id).toBe('openai-compatible:fake-model');
  });

  it('drafts a grounded reply from numbered sources and wraps it in the template', async () => {
    fake.behave({ content: grounded });
    const out = await draftReply(llm, input());
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.text.startsWith('Hi Jane,\n\n')).toBe(true);
    expect(out.text).toContain('the duplicate charge is refunded automatically within 5 business days.');
    expect(out.text).not.toMatch(/\[\d\]/);
    expect(out.sources).toEqual([{ articleId: 'art-refunds', title: 'Refunds and duplicate charges' }]);
    expect(out.groundingScore).toBe(1);
    expect(out.model).toBe('fake-model');
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body.model).toBe('fake-model');
    expect(sent.body.messages[0].role).toBe('system');
    expect(sent.body.messages[1].content).toContain('[1] Refunds and duplicate charges');
    expect(sent.body.messages[1].content).toContain('[2] Reset your password');
  });

  it('keeps numbered steps of a draft as a list', async () => {
    fake.behave({
      content:
        'To reset your password:\n\n1. Open the sign-in page and click Forgot password [1].\n2. Enter the email ' +
        'address of your account [1].\n3. Follow the link in the email within 30 minutes [1].',
    });
    const out = await draftReply(llm, { ...input(), question: 'How do I reset my password?', passages: [passages[1]] });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.text).toContain('1. Open the sign-in page and click Forgot password.\n2. Enter the email');
    expect(out.html).toContain('<ol><li>Open the sign-in page');
    expect(out.sources).toEqual([{ articleId: 'art-password', title: 'Reset your password' }]);
  });

  it('times out a slow model', async () => {
    // The model never answers within the test, so only the provider's own (short) timeout can end the call.
    fake.behave({ content: grounded, delayMs: 600_000 });
    const impatient = createLlmProvider(
      loadConfig({ llmBaseUrl: fake.baseUrl, llmModel: 'fake-model', llmTimeoutMs: 200 }, {}),
    )!;
    const out = await draftReply(impatient, input());
    expect(out).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('turns a 500 into an error result', async () => {
    fake.behave({ status: 500 });
    expect(await draftReply(llm, input())).toMatchObject({
      ok: false,
      reason: 'error',
      detail: expect.stringMatching(/500/),
    });
  });

  it('rejects an empty answer', async () => {
    fake.behave({ content: '   ' });
    expect(await draftReply(llm, input())).toMatchObject({ ok: false, reason: 'empty' });
  });

  it.each([
    [
      'invented facts',
      'We offer a 90-day money-back guarantee on all plans [1]. Refunds are paid in cash at our office [1].',
    ],
    ['a claim under the wrong citation', 'The duplicate charge is refunded automatically within 5 business days [3].'],
    [
      'a citation of a source that does not exist',
      'The duplicate charge is refunded automatically within 5 business days [9].',
    ],
    ['a changed number', 'The duplicate charge is refunded automatically within 2 business days [1].'],
    ['no answer in the sources', 'NO_ANSWER'],
  ])('rejects a draft with %s as ungrounded', async (_name, content) => {
    fake.behave({ content });
    const out = await draftReply(llm, input());
    expect(out).toMatchObject({ ok: false, reason: 'ungrounded' });
  });

  it('never sends the email, card, phone or name, and restores them in the reply', async () => {
    fake.requests.length = 0;
    fake.behave({
      content: (body) => {
        const message: string = body.messages[1].content.split("Customer's message:")[1];
        const email = /\[EMAIL_\d+\]/.exec(message)![0];
        return `Hello [NAME_1],\n\n${grounded}\nWe will write to ${email}.\n\nBest regards`;
      },
    });
    const out = await draftReply(llm, input());
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(fake.requests).toHaveLength(1);
    for (const r of fake.requests) {
      for (const secret of [
        'jane.doe@example.com',
        '4242 4242 4242 4242',
        '4242424242424242',
        '7946 0958',
        'Jane',
        'Doe',
      ]) {
        expect(r.raw).not.toContain(secret);
      }
    }
    expect(fake.requests[0]!.body.messages[1].content).toContain('[CARD_1]');
    expect(out.text).toContain('We will write to jane.doe@example.com.');
    expect(out.text).not.toContain('Hello');
    expect(out.text).not.toContain('Best regards');
    expect(out.redactions).toBeGreaterThanOrEqual(4);
    expect(out.sentences.find((s) => s.text.includes('We will write'))!.source).toBe('none');
  });

  it('rejects a draft that makes up placeholders', async () => {
    fake.behave({ content: `${grounded} Your other address [EMAIL_7] was updated.` });
    expect(await draftReply(llm, input())).toMatchObject({ ok: false, reason: 'ungrounded' });
  });
});

describe('PII redaction', () => {
  it('replaces each kind with a stable placeholder and restores what is appropriate', () => {
    const r = createRedactor({ names: ['Jane Doe'] });
    const text = [
      'I am Jane Doe, write to jane.doe@example.com or call +1 (415) 555-0132.',
      'Card 4242 4242 4242 4242, IBAN GB82 WEST 1234 5698 7654 32, IP 203.0.113.7 and 2001:db8::ff00:42:8329.',
      'My key is sk_live_51HxYzAbCdEfGhIjKl and the token ghp_abcdefghijklmnopqrstuvwxyz0123456789.',
      'jane again: jane.doe@example.com.',
    ].join(' ');
    const out = r.redact(text);
    for (const leaked of [
      'Jane',
      'jane',
      'Doe',
      'example.com',
      '555-0132',
      '4242',
      'GB82',
      '203.0.113.7',
      'db8',
      'sk_live',
      'ghp_',
    ])
      expect(out).not.toContain(leaked);
    expect(out).toContain('[NAME_1]');
    expect(out.match(/\[EMAIL_1\]/g)).toHaveLength(2);
    const kinds = new Set(r.redactions.map((x) => x.kind));
    expect([...kinds].sort()).toEqual(['card', 'email', 'iban', 'ip', 'name', 'phone', 'secret']);
    const back = r.restore(
      'Dear [NAME_1], we emailed [EMAIL_1] about [CARD_1] and [IBAN_1]; your key [SECRET_1] was revoked. [PHONE_9]',
    );
    expect(back.text).toBe(
      'Dear Jane Doe, we emailed jane.doe@example.com about the card ending in 4242 and the account ending in ' +
        '5432; your key [redacted] was revoked. [PHONE_9]',
    );
    expect(back.unknown).toEqual(['[PHONE_9]']);
  });

  it('leaves ordinary numbers, ids and words alone', () => {
    const r = createRedactor({ names: ['Will Smith'] });
    const text =
      'Order 12345678 from 2024-01-15 on ticket 3f1c2b9e-1234-4abc-9def-0123456789ab failed; it will retry 1234 ' +
      '5678 9012 3456 times at 10:30. My password is not working.';
    const out = r.redact(text);
    expect(out).toBe(text.replace('Smith', '[NAME_1]'));
    expect(luhnValid('4242 4242 4242 4242')).toBe(true);
    expect(luhnValid('1234 5678 9012 3456')).toBe(false);
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 33')).toBe(false);
  });
});
