import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { createOpenAiProvider, type LlmProvider } from '../src/resolution/llm.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-server.js';
import { openTestDesk, type TestDesk } from './helpers.js';

/** The LLM path through the HTTP API and the pipeline, against a local OpenAI-compatible fake. */
describe('resolution with an OpenAI-compatible LLM', () => {
  let llm: FakeOpenAi;
  let t: TestDesk;
  let key: string;
  let wsId: string;
  const customer = { email: 'maria.lopez@initech.example', name: 'Maria Lopez', accountExternalId: 'acc_initech' };

  beforeAll(async () => {
    llm = await startFakeOpenAi();
    t = await openTestDesk('pglite', {
      // The fake answers at once: a timeout this long only ends a hang (the timeout case sets its own, short one).
      config: { llmBaseUrl: llm.baseUrl, llmModel: 'fake-model', llmTimeoutMs: 600_000 },
    });
    const demo = await seedDemo(t.desk, { tickets: false });
    key = demo.apiKey;
    wsId = demo.workspaceId;
  });
  afterAll(async () => {
    await t?.close();
    await llm?.close();
  });

  let n = 0;
  /** Each question from another customer of the same account, so no ticket is a repeat contact. */
  const ask = async (text: string, subject = 'Password') => {
    const who = n++ === 0 ? customer : { ...customer, email: `user${n}@initech.example` };
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { authorization: `Bearer ${key}` },
      payload: { subject, message: { text }, customer: who },
    });
    const id = res.json().ticket.id;
    await t.desk.runPipeline(wsId, id, 'created');
    return (
      await t.server.inject({
        method: 'GET',
        url: `/api/v1/tickets/${id}`,
        headers: { authorization: `Bearer ${key}` },
      })
    ).json();
  };
  const stage = (detail: any, name: string) => detail.decisions.find((d: any) => d.stage === name);

  it('sends a grounded LLM draft, and no personal data left the machine', async () => {
    // The draft is judged like any answer, then the LLM judge is asked (its verdict: YES with a source).
    llm.behave({
      content: (body: any) =>
        String(body.messages[0].content).startsWith('You check replies')
          ? 'YES [1]'
          : 'Invoices are under Settings → Billing → Invoices [1]. Click an invoice to download it as a PDF [1].',
    });
    const before = llm.requests.length;
    const detail = await ask(
      "Hi, I'm Maria Lopez (maria.lopez@initech.example). Where can I download my invoices?",
      'Invoices',
    );
    expect(stage(detail, 'resolve').result, JSON.stringify(stage(detail, 'resolve').result)).toMatchObject({
      composed: true,
      via: 'llm',
    });
    expect(detail.status).toBe('resolved');
    const reply = detail.messages.find((m: any) => m.authorType === 'assistant');
    expect(reply.text).toMatch(/download it as a PDF/);
    expect(stage(detail, 'resolve').result.verification).toMatchObject({
      passed: true,
      draft: { passed: true },
      llmJudge: { answers: true },
    });
    const sent = llm.requests
      .slice(before)
      .map((r) => r.raw)
      .join('\n');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent).not.toContain('maria.lopez@initech.example');
    expect(sent).not.toContain('Lopez');
  });

  it.each([
    [
      'an ungrounded draft',
      { content: 'Your password has been reset to 12345 and your account upgraded to Enterprise for free.' },
      'compose_ungrounded',
      null,
    ],
    ['an HTTP error', { status: 500 }, 'compose_error', null],
    // The model never answers within the test, so only the provider's own short timeout (this case's alone: the
    // desk's provider is swapped for it) can end the call; a slow machine cannot make it answer in time.
    ['a timeout', { delayMs: 600_000, content: 'too late' }, 'compose_timeout', 200],
  ])('hands the ticket to a human on %s', async (_name, behaviour, reason, timeoutMs) => {
    llm.behave(behaviour);
    const desk = t.desk as unknown as { llm: LlmProvider | null };
    const patient = desk.llm;
    if (timeoutMs) desk.llm = createOpenAiProvider({ baseUrl: llm.baseUrl, model: 'fake-model', timeoutMs });
    try {
      const detail = await ask('Where can I download my invoices?', 'Invoices');
      expect(detail.status).toBe('open');
      expect(detail.messages.some((m: any) => m.authorType === 'assistant' && m.visibility === 'public')).toBe(false);
      const handoff = detail.timeline.find((e: any) => e.type === 'ticket.handed_off');
      expect(handoff.data.reason).toBe(reason);
      expect(stage(detail, 'resolve').result).toMatchObject({ composed: false });
    } finally {
      desk.llm = patient;
    }
  });

  it('summarises the handoff packet with the LLM, redacted on the way out and restored on the way back', async () => {
    llm.behave({ status: 500 });
    const detail = await ask(
      'I forgot my password and the reset email never arrives. I already checked my spam folder. My email is ' +
        'maria.lopez@initech.example',
    );
    llm.behave({
      content: (body: any) => {
        const user = String(body.messages.at(-1).content);
        const email = /\[EMAIL_\d+\]/.exec(user)?.[0] ?? 'unknown';
        return (
          `The customer cannot log in because the reset email sent to ${email} never arrives. They already ` +
          `checked their spam folder.`
        );
      },
    });
    const before = llm.requests.length;
    const packet = (
      await t.server.inject({
        method: 'GET',
        url: `/api/v1/tickets/${detail.id}/handoff`,
        headers: { authorization: `Bearer ${key}` },
      })
    ).json();
    expect(packet.summarySource).toBe('llm');
    expect(packet.summary.join(' ')).toContain('maria.lopez@initech.example');
    expect(
      llm.requests
        .slice(before)
        .map((r) => r.raw)
        .join(''),
    ).not.toContain('maria.lopez@initech.example');
    llm.behave({ status: 500 });
    const fallback = (
      await t.server.inject({
        method: 'GET',
        url: `/api/v1/tickets/${detail.id}/handoff`,
        headers: { authorization: `Bearer ${key}` },
      })
    ).json();
    expect(fallback.summarySource).toBe('extractive');
    expect(fallback.summary.length).toBeGreaterThan(0);
  });
});
