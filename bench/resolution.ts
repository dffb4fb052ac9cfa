/** End-to-end benchmark of autonomous resolution (understand → retrieve → decide → resolve) on Bitext. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AutonomySettings } from '../src/domain/settings.js';
import { importArticles } from '../src/knowledge/import.js';
import { upsertPlaybook } from '../src/resolution/playbooks.js';
import { systemActor } from '../src/store/ctx.js';
import { getAutonomy, updateAutonomy } from '../src/tickets/autonomy.js';
import { getTicketDetail } from '../src/tickets/get-ticket.js';
import { openPglite } from '../src/store/db.js';

import { loadavg } from 'node:os';
import { machine, writeResult } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));
const FILE = 'Bitext_Sample_Customer_Support_Training_Dataset.csv';
/** Share of each intent's rows (file order, contiguous) that is part A: articles and classifier training. */
const PART_A = 0.6;
/** Requests per intent taken from part B (evenly spaced over it) and sent as tickets. */
const PART_B_MAX = 20;
/** Distinct part-A responses (evenly spaced over part A) that make up an intent's article, one section each. */
const ARTICLE_SECTIONS = 5;
/** Words of the instruction used as the ticket's subject. */
const SUBJECT_WORDS = 6;
/** Outcome examples kept per hand-off reason / for wrong answers in the record. */
const EXAMPLES = 3;

type Row = { instruction: string; intent: string; category: string; response: string };
type Decision = { stage: string; ok: boolean; result: Record<string, unknown>; durationMs: number | null };
/** The fields of the decide and resolve stages' results this benchmark reads. */
type DecideResult = { decision?: string; reason: string; checks: unknown; playbook?: { kind?: string } | null };
type ResolveResult = {
  composed?: boolean;
  path?: string;
  reason?: string;
  detail?: string | null;
  sources?: unknown;
  verification?: unknown;
};

const humanise = (intent: string) => intent.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? 0;
/** `n` indices evenly spread over 0…length-1 (all of them when length ≤ n). */
const spread = (length: number, n: number) =>
  length <= n ? [...Array(length).keys()] : [...Array(n).keys()].map((i) => Math.floor((i * length) / n));

interface Outcome {
  intent: string;
  text: string;
  predicted: string | null;
  confidence: number | null;
  kind: 'answered_correctly' | 'answered_wrongly' | 'handed_off';
  /** For hand-offs: the decide stage's failed guardrail, or `compose_<reason>` from the resolve stage, or `ai_error`.
   */
  reason: string | null;
  detail: string | null;
  answeredWith: string | null;
  /** The multi-intent split of the pipeline's text, when the classifier found one. */
  parts: { text: string; intent: string; confidence: number }[] | null;
  /** A confident clause of another intent was the ticket's subject line alone (see `subjectMode`). */
  subjectSplit: boolean;
  /** Rank (1-based) of the true intent's article among the retrieve stage's passages' distinct articles; null when
   * absent. */
  intentArticleRank: number | null;
  ms: number;
}

/** How a ticket's subject is made: the instruction's first words (headline), or one fixed generic line. */
type SubjectMode = 'first-words' | 'generic';
const GENERIC_SUBJECT = 'Support request';

/**
 * Builds a Bitext workspace (one article per intent from part A's responses, an auto `answer` playbook per
 * intent, the intent classifier trained on part A's requests), sends part B's requests as tickets through the
 * whole pipeline and counts what happened: answered with the right article, answered with another intent's
 * article, or handed to a human (and why). The headline uses the default autonomy settings; `variants` repeats
 * the tickets at a lower default threshold. Writes `bench/results/resolution-bitext.json`; null when the data is
 * absent.
 */
export async function benchResolution(dataDir: string): Promise<object | null> {
  const file = join(dataDir, 'bitext', FILE);
  if (!existsSync(file)) {
    console.warn(`benchResolution: ${file} is absent — skipping the Bitext resolution benchmark`);
    return null;
  }
  const benchStarted = performance.now();
  const loadBefore = loadavg()[0]!;
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
  const byIntent = new Map<string, Row[]>();
  for (const r of rows) byIntent.set(r.intent, [...(byIntent.get(r.intent) ?? []), r]);
  const intents = [...byIntent.keys()].sort();
  const partA = new Map<string, Row[]>();
  const partB = new Map<string, Row[]>();
  for (const intent of intents) {
    const list = byIntent.get(intent)!;
    const cut = Math.round(list.length * PART_A);
    partA.set(intent, list.slice(0, cut));
    const rest = list.slice(cut);
    partB.set(
      intent,
      spread(rest.length, PART_B_MAX).map((i) => rest[i]!),
    );
  }

  const config = loadConfig({ logLevel: 'silent' });
  const database = await openPglite(undefined);
  await database.migrate();
  const desk = await Deskmind.open({ config, database, worker: false });
  try {
    const setupStarted = performance.now();
    const { workspace } = await desk.createWorkspace('bench-resolution');
    const ws = workspace.id;
    const ctx = desk.ctx(ws, systemActor);

    // Knowledge base: one article per intent, sections = distinct part-A responses.
    const items = intents.map((intent) => {
      const distinct = [...new Set(partA.get(intent)!.map((r) => r.response.trim()))];
      const sections = spread(distinct.length, ARTICLE_SECTIONS).map(
        (i, n) => `## ${humanise(intent)} (${n + 1})\n\n${distinct[i]}`,
      );
      return {
        item: intent,
        data: {
          externalId: `bitext-${intent}`,
          title: humanise(intent),
          body: sections.join('\n\n'),
          intents: [intent],
          tags: [partA.get(intent)![0]!.category.toLowerCase()],
        },
      };
    });
    const imported = await importArticles(ctx, desk.embedder, items);
    if (imported.rejected.length) throw new Error(`articles rejected: ${JSON.stringify(imported.rejected)}`);
    const [{ rows: articleRows }, { rows: chunkRows }] = await Promise.all([
      database.executeSql('select id, external_id from articles'),
      database.executeSql('select count(*)::int as n from article_chunks'),
    ]);
    const articleOf = new Map<string, string>();
    for (const a of articleRows as { id: string; external_id: string }[])
      articleOf.set(a.external_id.replace(/^bitext-/, ''), a.id);
    const intentOfArticle = new Map([...articleOf].map(([i, id]) => [id, i]));

    for (const intent of intents) await upsertPlaybook(ctx, intent, { kind: 'answer', mode: 'auto' }, desk.outbound);
    const examples = intents.flatMap((intent) =>
      partA.get(intent)!.map((r) => ({ text: r.instruction, label: intent })),
    );
    const trained = await desk.intentModels.train(ws, examples, { source: 'bench-resolution part A' });
    const setupMs = performance.now() - setupStarted;

    let seq = 0;
    const runAll = async (label: string, subjectMode: SubjectMode = 'first-words') => {
      const outcomes: Outcome[] = [];
      for (const intent of intents) {
        for (const row of partB.get(intent)!) {
          const n = seq++;
          const words = row.instruction.trim().split(/\s+/);
          const subject =
            subjectMode === 'generic'
              ? GENERIC_SUBJECT
              : words.slice(0, SUBJECT_WORDS).join(' ') + (words.length > SUBJECT_WORDS ? '…' : '');
          const { ticket } = await desk.createTicket(ws, systemActor, {
            subject,
            message: { text: row.instruction, visibility: 'public', attachments: [] },
            customer: { email: `customer${n}.${label}@bench.example`, name: `Customer ${n}` },
            channel: 'api',
            tags: [],
          });
          const started = performance.now();
          await desk.runPipeline(ws, ticket.id, 'created');
          const ms = performance.now() - started;
          const detail = await getTicketDetail(ctx, ticket.id);
          const stage = (name: string) => (detail.decisions as Decision[]).filter((d) => d.stage === name).at(-1);
          const understood = stage('understand')?.result.intent as
            | {
                intent: string | null;
                confidence: number;
                multiIntent: { parts: { text: string; intent: string; confidence: number }[] } | null;
              }
            | null
            | undefined;
          const parts = understood?.multiIntent?.parts ?? null;
          const subjectSplit = !!parts?.some(
            (p) => p.text.trim() === subject.trim() && p.intent !== intent && p.confidence >= 0.7,
          );
          const decided = stage('decide')?.result as DecideResult | undefined;
          const retrievedArticles = [
            ...new Set(((stage('retrieve')?.result.passages ?? []) as { articleId: string }[]).map((p) => p.articleId)),
          ];
          const rank = retrievedArticles.indexOf(articleOf.get(intent)!) + 1;
          const resolved = stage('resolve')?.result as ResolveResult | undefined;
          const failed = (detail.decisions as Decision[]).find((d) => !d.ok);
          const sent = detail.messages.some((m) => m.authorType === 'assistant' && m.visibility === 'public');
          const base = {
            intent,
            text: row.instruction,
            predicted: understood?.intent ?? null,
            confidence: understood ? round(understood.confidence, 3) : null,
            parts,
            subjectSplit,
            intentArticleRank: rank || null,
            ms,
          };
          if (detail.status === 'resolved' && sent && resolved?.composed && resolved.path === 'resolve') {
            const first = (resolved.sources as { articleId: string }[])[0]?.articleId ?? null;
            const answeredWith = first ? (intentOfArticle.get(first) ?? first) : null;
            outcomes.push({
              ...base,
              kind: answeredWith === intent ? 'answered_correctly' : 'answered_wrongly',
              reason: null,
              detail: null,
              answeredWith,
            });
          } else if (failed) {
            outcomes.push({
              ...base,
              kind: 'handed_off',
              reason: 'ai_error',
              detail: `${failed.stage}: ${failed.result.error}`,
              answeredWith: null,
            });
          } else if (decided?.decision === 'hand_off') {
            const check = (decided.checks as { check: string; detail: string }[]).find(
              (c) => c.check === decided.reason,
            );
            outcomes.push({
              ...base,
              kind: 'handed_off',
              reason: decided.reason,
              detail: check?.detail ?? null,
              answeredWith: null,
            });
          } else if (resolved && resolved.composed === false) {
            outcomes.push({
              ...base,
              kind: 'handed_off',
              reason: `compose_${resolved.reason}`,
              detail: resolved.detail ?? null,
              answeredWith: null,
            });
          } else {
            outcomes.push({
              ...base,
              kind: 'handed_off',
              reason: `other (status ${detail.status}, decision ${decided?.decision ?? '?'})`,
              detail: null,
              answeredWith: null,
            });
          }
        }
      }
      return outcomes;
    };

    const summarise = (outcomes: Outcome[], settings: AutonomySettings) => {
      const n = outcomes.length;
      const count = (k: Outcome['kind']) => outcomes.filter((o) => o.kind === k).length;
      const correct = count('answered_correctly');
      const wrong = count('answered_wrongly');
      const handed = outcomes.filter((o) => o.kind === 'handed_off');
      const reasons = new Map<string, Outcome[]>();
      for (const o of handed) reasons.set(o.reason!, [...(reasons.get(o.reason!) ?? []), o]);
      const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
      const perIntent = Object.fromEntries(
        intents.map((intent) => {
          const mine = outcomes.filter((o) => o.intent === intent);
          const why: Record<string, number> = {};
          for (const o of mine) if (o.kind === 'handed_off') why[o.reason!] = (why[o.reason!] ?? 0) + 1;
          return [
            intent,
            {
              tickets: mine.length,
              correct: mine.filter((o) => o.kind === 'answered_correctly').length,
              wrong: mine.filter((o) => o.kind === 'answered_wrongly').length,
              handedOff: mine.filter((o) => o.kind === 'handed_off').length,
              handOffReasons: why,
            },
          ];
        }),
      );
      const wrongOnes = outcomes.filter((o) => o.kind === 'answered_wrongly');
      const multi = reasons.get('single_intent') ?? [];
      const pairs = new Map<string, number>();
      for (const o of multi) {
        const other =
          [
            ...new Set(
              (o.parts ?? []).filter((p) => p.confidence >= 0.7 && p.intent !== o.intent).map((p) => p.intent),
            ),
          ].join('+') || '(true intent twice?)';
        pairs.set(`${o.intent} ← ${other}`, (pairs.get(`${o.intent} ← ${other}`) ?? 0) + 1);
      }
      const conf = outcomes.map((o) => o.confidence ?? 0);
      const humanAnswered = outcomes.filter((o) => o.intent === 'contact_human_agent' && o.kind !== 'handed_off');
      return {
        settings: {
          defaultThreshold: settings.defaultThreshold,
          minRetrievalScore: settings.minRetrievalScore,
          minSentiment: settings.minSentiment,
          maxEmotion: settings.maxEmotion,
          handoffTiers: settings.handoffTiers,
          shadowMode: settings.shadowMode,
          languages: settings.languages,
        },
        tickets: n,
        answeredCorrectly: correct,
        answeredWrongly: wrong,
        handedOff: handed.length,
        resolutionRate: round(correct / n),
        wrongAnswerRate: round(wrong / n),
        wrongAmongAnswered: correct + wrong ? round(wrong / (correct + wrong)) : null,
        handOffRate: round(handed.length / n),
        handOffReasons: Object.fromEntries(
          [...reasons]
            .sort((a, b) => b[1].length - a[1].length)
            .map(([r, list]) => [r, { count: list.length, share: round(list.length / n) }]),
        ),
        intentAccuracy: round(outcomes.filter((o) => o.predicted === o.intent).length / n),
        wrongAnswers: {
          intentWrong: wrongOnes.filter((o) => o.predicted !== o.intent).length,
          intentRightButAnotherArticleFirst: wrongOnes.filter((o) => o.predicted === o.intent).length,
          /** Of those, how many had the true intent's article somewhere in the retrieved passages (an
           * intent-consistency rule could have used it). */
          intentRightAndItsArticleRetrieved: wrongOnes.filter(
            (o) => o.predicted === o.intent && o.intentArticleRank !== null,
          ).length,
          answeredWith: Object.fromEntries(
            [
              ...wrongOnes.reduce(
                (m, o) => m.set(`${o.intent} → ${o.answeredWith}`, (m.get(`${o.intent} → ${o.answeredWith}`) ?? 0) + 1),
                new Map<string, number>(),
              ),
            ].sort((a, b) => b[1] - a[1]),
          ),
        },
        intentConfidence: {
          atLeast099: conf.filter((c) => c >= 0.99).length,
          from090to099: conf.filter((c) => c >= 0.9 && c < 0.99).length,
          from080to090: conf.filter((c) => c >= 0.8 && c < 0.9).length,
          below080: conf.filter((c) => c < 0.8).length,
        },
        multiIntentHandOffs: {
          count: multi.length,
          becauseOfTheSubjectLine: multi.filter((o) => o.subjectSplit).length,
          trueIntentAndOtherConfidentClauseIntents: Object.fromEntries(
            [...pairs].sort((a, b) => b[1] - a[1]).slice(0, 12),
          ),
        },
        contactHumanAgentAnsweredByTheAssistant: humanAnswered.length,
        pipelineMs: {
          p50: round(pct(times, 0.5), 1),
          p95: round(pct(times, 0.95), 1),
          max: round(times.at(-1) ?? 0, 1),
        },
        perIntent,
        examples: {
          answeredWrongly: spread(wrongOnes.length, EXAMPLES * 2)
            .map((i) => wrongOnes[i]!)
            .map(({ text, intent, predicted, confidence, answeredWith, intentArticleRank }) => ({
              text,
              intent,
              predicted,
              confidence,
              answeredWith,
              intentArticleRank,
            })),
          contactHumanAgentAnswered: humanAnswered.slice(0, EXAMPLES).map(({ text, kind }) => ({ text, kind })),
          handOffs: Object.fromEntries(
            [...reasons].map(([r, list]) => [
              r,
              spread(list.length, EXAMPLES)
                .map((i) => list[i]!)
                .map(({ text, intent, predicted, confidence, detail, parts }) => ({
                  text,
                  intent,
                  predicted,
                  confidence,
                  detail,
                  ...(r === 'single_intent' ? { parts } : {}),
                })),
            ]),
          ),
        },
      };
    };

    // Warm-up (one ticket, not counted) so the first measured pipeline run does not pay module/JIT start-up.
    const warm = await desk.createTicket(ws, systemActor, {
      subject: 'Warm up',
      message: { text: 'warm up the pipeline', visibility: 'public', attachments: [] },
      customer: { email: 'warmup@bench.example' },
      channel: 'api',
      tags: [],
    });
    await desk.runPipeline(ws, warm.ticket.id, 'created');

    const defaults = await getAutonomy(ctx);
    const headline = summarise(await runAll('t90'), defaults);
    const lowered = await updateAutonomy(ctx, { defaultThreshold: 0.8 });
    const at80 = summarise(await runAll('t80'), lowered);
    const restored = await updateAutonomy(ctx, { defaultThreshold: defaults.defaultThreshold });
    const generic = summarise(await runAll('generic', 'generic'), restored);

    const record = {
      benchmark: 'resolution-bitext',
      date: new Date().toISOString(),
      machine:
        `${machine()}, in-memory PGlite; ` +
        `1-min load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after (other processes ` +
        `inflate timings)`,
      howMeasured:
        `Bitext (${rows.length} rows, ${intents.length} intents). Per intent, in file order: the first ` +
        `${PART_A * 100}% of rows are part A, the rest part B. ` +
        `Part A: one published article per intent titled by the intent (e.g. "Cancel order", intents [intent]), ` +
        `whose body is ${ARTICLE_SECTIONS} distinct part-A responses ` +
        `(evenly spaced over part A) as "## " sections; an answer playbook in auto mode for every intent (no ` +
        `playbook threshold); the workspace intent classifier ` +
        `trained on all ${examples.length} part-A (instruction, intent) pairs. Part B: at most ${PART_B_MAX} ` +
        `requests per intent (evenly spaced), each sent as a new ticket ` +
        `(subject: the instruction's first ${SUBJECT_WORDS} words, message: the instruction, a new customer per ` +
        `ticket with no account, so no tier and no repeat contact) ` +
        `and run through the full pipeline synchronously with desk.runPipeline (no LLM configured: extractive ` +
        `answers). ` +
        `answered correctly = ticket resolved with a public assistant reply whose first source is the article of ` +
        `the row's true intent; answered wrongly = resolved with another ` +
        `article first; handed off = decide stage's first failed guardrail, or compose_<reason> when the resolve ` +
        `stage could not compose/ground a reply. ` +
        `resolutionRate and wrongAnswerRate are over all tickets; wrongAmongAnswered over answered tickets. ` +
        `intentAccuracy = the understand stage's intent ` +
        `(null when out of scope) equals the true intent, on the pipeline's text (subject + message). pipelineMs ` +
        `= wall time of one desk.runPipeline call ` +
        `(load, 5 stages, write decisions/actions), after one warm-up ticket. Variants reuse the same workspace, ` +
        `articles and model with fresh customers: defaultThreshold 0.8; and the default threshold with a fixed ` +
        `generic ` +
        `subject (isolates the multi-intent split of subject line vs message, see ` +
        `multiIntentHandOffs.becauseOfTheSubjectLine).`,
      embedder: desk.embedder.id,
      llm: config.llmBaseUrl ? 'configured' : 'none (extractive)',
      articles: articleOf.size,
      chunks: Number((chunkRows[0] as { n?: number } | undefined)?.n ?? 0),
      trainingExamples: examples.length,
      trainSeconds: round(trained.seconds, 2),
      setupMs: Math.round(setupMs),
      ...headline,
      variants: {
        'defaultThreshold 0.8': at80,
        [`defaultThreshold ${defaults.defaultThreshold}, generic subject "${GENERIC_SUBJECT}" instead of the ` +
          `first words`]: generic,
      },
      totalSeconds: round((performance.now() - benchStarted) / 1000, 1),
    };
    const out = resolve(here, 'results', 'resolution-bitext.json');
    writeResult(out, record);
    return record;
  } finally {
    await desk.close();
  }
}
