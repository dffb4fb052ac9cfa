import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { judgePassages, resolutionPorts } from '../src/pipeline/ports/resolution-ports.js';
import type { PipelineInput } from '../src/pipeline/types.js';
import type { RetrievedPassage } from '../src/domain/stage-results.js';
import { createOpenAiProvider } from '../src/resolution/llm.js';
import { PRIOR_ANSWER_JUDGE } from '../src/resolution/verification.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-server.js';
import { openTestDesk, type TestDesk } from './helpers.js';

const prior = { weights: PRIOR_ANSWER_JUDGE, source: 'prior' as const };

/**
 * The answer judgement on the demo's real knowledge base: which article answers the ask, whether it is sure
 * enough, and (with an LLM, against the local OpenAI-compatible fake) whether the draft answers the ask.
 */
describe('answer verification on the demo knowledge base', () => {
  let t: TestDesk;
  let llm: FakeOpenAi;
  let ws: string;
  let articleOf: Map<string, string>;
  let ports: ReturnType<typeof resolutionPorts>;

  beforeAll(async () => {
    llm = await startFakeOpenAi();
    t = await openTestDesk('pglite');
    ws = (await seedDemo(t.desk, { tickets: false })).workspaceId;
    const { rows } = await t.desk.database.executeSql('select id, external_id from articles');
    articleOf = new Map((rows as { id: string; external_id: string }[]).map((r) => [r.external_id, r.id]));
    ports = resolutionPorts({
      database: t.desk.database,
      embedder: t.desk.embedder,
      // The fake answers at once and no test here is about timeouts: a timeout this long only ends a hang.
      llm: createOpenAiProvider({ baseUrl: llm.baseUrl, model: 'fake-model', timeoutMs: 600_000 }),
      now: () => new Date(),
    });
  });
  afterAll(async () => {
    await t?.close();
    await llm?.close();
  });

  /** The passages the retrieve stage would hand on: those of the intent's articles when there are any. */
  const passagesFor = async (ask: string, intent: string): Promise<RetrievedPassage[]> => {
    const hits = await ports.retrieve(ws, ask, { intent, tier: null, k: 5 });
    return hits.some((h) => h.intentMatch) ? hits.filter((h) => h.intentMatch) : hits;
  };

  // The examples: a passage of the right intent that shares words with the ask but answers another question.
  it.each([
    ['The login page keeps kicking me out', 'account_access', 'session-logout', 'reset-password'],
    ['I changed phones and the code no longer works', 'two_factor', 'two-factor-new-phone', 'two-factor'],
    [
      'Every few minutes the app signs me out and I have to log in again.',
      'account_access',
      'session-logout',
      'reset-password',
    ],
    ['Got a new iPhone, how do I move my authenticator over?', 'two_factor', 'two-factor-new-phone', 'two-factor'],
    [
      'The reset link in your email says it has expired when I open it',
      'password_reset',
      'reset-email-missing',
      'change-password',
    ],
  ])('"%s" is judged against the article that answers it', async (ask, intent, right, wrong) => {
    const judged = judgePassages(
      ask,
      await passagesFor(ask, intent),
      { intentConfidence: 0.95, threshold: 0.9 },
      prior,
    );
    expect(judged).not.toBeNull();
    // Never the article that shares the words but answers another question; sent only when it is the right one.
    expect(judged!.best.articleId).not.toBe(articleOf.get(wrong));
    if (judged!.best.passed) expect(judged!.best.articleId).toBe(articleOf.get(right));
    expect(judged!.best.probability).toBeLessThan(1);
  });

  it('refuses an ask the knowledge base does not answer, saying which words it does not cover', async () => {
    const ask = 'Do you support hardware security keys like a YubiKey?';
    const judged = judgePassages(
      ask,
      await passagesFor(ask, 'two_factor'),
      { intentConfidence: 0.95, threshold: 0.9 },
      prior,
    )!;
    expect(judged.best.passed).toBe(false);
    expect(judged.best.missing).toEqual(expect.arrayContaining(['yubikey']));
    expect(judged.best.explanation).toMatch(/not covered: .*yubikey/);
  });

  it('compares the probability with the threshold', async () => {
    const ask = 'How do I reset my password? I forgot it.';
    const passages = await passagesFor(ask, 'password_reset');
    const judged = judgePassages(ask, passages, { intentConfidence: 0.95, threshold: 0.5 }, prior)!;
    expect(judged.best.articleId).toBe(articleOf.get('reset-password'));
    expect(judged.best.passed).toBe(true);
    expect(judgePassages(ask, passages, { intentConfidence: 0.95, threshold: 0.999 }, prior)!.best.passed).toBe(false);
  });

  /** A ticket as the runner loads it, enough for the compose port. */
  const inputFor = (text: string): PipelineInput =>
    ({
      workspaceId: ws,
      trigger: 'created',
      ticket: { id: '00000000-0000-4000-8000-000000000001', subject: 'Question', reopenCount: 0, tags: [] },
      messages: [{ authorType: 'customer', visibility: 'public', text }],
      customer: { id: 'c1', name: 'Maria Lopez', email: 'maria@initech.example', externalId: null },
      account: null,
      history: [],
    }) as unknown as PipelineInput;
  const view = { intent: 'password_reset', kind: 'answer' as const, mode: 'auto' as const, threshold: null };
  const ask = 'How long is the password reset link valid?';
  /** The passage of this ask is judged about 0.74 likely to answer (three password articles compete): the LLM cases use
   * a threshold it passes. */
  const LLM_THRESHOLD = 0.7;
  const isJudge = (body: any) => String(body?.messages?.[0]?.content ?? '').startsWith('You check replies');

  it('with an LLM: sends an on-question draft that the judgement and the LLM judge accept', async () => {
    llm.behave({
      content: (body) =>
        isJudge(body)
          ? 'YES [1]'
          : 'The reset link is valid for 30 minutes [1]. Open it, choose a new password of at least 10 ' +
            'characters, and sign in again [1].',
    });
    const reply = await ports.compose(inputFor(ask), view, await passagesFor(ask, 'password_reset'), {
      intentConfidence: 0.95,
      threshold: LLM_THRESHOLD,
    });
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    if (!reply.ok) return;
    expect(reply.via).toBe('llm');
    expect(reply.verification?.draft?.passed).toBe(true);
    expect(reply.verification?.llmJudge).toMatchObject({ answers: true, cited: 1 });
    // The judge saw the question and the draft, redacted like every request.
    const judged = llm.requests.filter((r) => isJudge(r.body)).at(-1)!;
    expect(judged.raw).toContain('valid for 30 minutes');
    expect(judged.raw).not.toContain('Lopez');
  });

  it('with an LLM: refuses a draft backed by the article but off the question, before asking the judge', async () => {
    const judgeCalls = llm.requests.filter((r) => isJudge(r.body)).length;
    llm.behave({
      content: (body) =>
        isJudge(body) ? 'YES [1]' : 'If your company uses single sign-on, use your identity provider instead [1].',
    });
    const reply = await ports.compose(inputFor(ask), view, await passagesFor(ask, 'password_reset'), {
      intentConfidence: 0.95,
      threshold: LLM_THRESHOLD,
    });
    expect(reply).toMatchObject({ ok: false, reason: 'off_question' });
    expect(reply.verification?.passed).toBe(true);
    expect(reply.verification?.draft?.passed).toBe(false);
    expect(llm.requests.filter((r) => isJudge(r.body)).length).toBe(judgeCalls);
  });

  it.each([
    ['says no', 'NO: the reply is about something else'],
    ['cites no real source', 'YES [7]'],
  ])('with an LLM: refuses a draft when the LLM judge %s', async (_name, verdict) => {
    llm.behave({
      content: (body) =>
        isJudge(body)
          ? verdict
          : 'The reset link is valid for 30 minutes [1]. Open it, choose a new password of at least 10 ' +
            'characters, and sign in again [1].',
    });
    const reply = await ports.compose(inputFor(ask), view, await passagesFor(ask, 'password_reset'), {
      intentConfidence: 0.95,
      threshold: LLM_THRESHOLD,
    });
    expect(reply).toMatchObject({ ok: false, reason: 'off_question' });
    expect(reply.verification?.draft?.passed).toBe(true);
    expect(reply.verification?.llmJudge?.answers).toBe(false);
  });

  it('without an LLM: the same judgement refuses an ask its best passage does not answer', async () => {
    const extractive = resolutionPorts({
      database: t.desk.database,
      embedder: t.desk.embedder,
      llm: null,
      now: () => new Date(),
    });
    const text = 'Can I sign in with a passkey instead of a password?';
    const reply = await extractive.compose(inputFor(text), view, await passagesFor(text, 'password_reset'), {
      intentConfidence: 0.95,
      threshold: 0.9,
    });
    expect(reply).toMatchObject({ ok: false, reason: 'off_question' });
    expect(reply.verification?.missing).toContain('passkey');
  });
});
