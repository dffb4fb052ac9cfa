/**
 * Answer composition without an LLM: the most relevant sentences and lists of the best passages,
 * quoted as written (extractive: the reply says only what the knowledge base says), inside the
 * playbook's template, personalised with the customer's first name and, when relevant, their plan.
 */
import { billingNotice, type CustomerFacts } from './facts.js';
import { checkGrounding } from './grounding.js';
import {
  PassageInputSchema,
  type ActionResult,
  type AnswerSentence,
  type ComposedAnswer,
  type Passage,
  type PassageInput,
  type Playbook,
  type ReplyContext,
} from './schemas.js';
import { placeholdersOf, renderTemplate } from './template.js';
import { contentWords, splitSentences, splitUnits } from './text.js';

/** The template of an answer playbook that has none. */
export const DEFAULT_ANSWER_TEMPLATE =
  "Hi {{customer.firstName}},\n\n{{answer}}\n\nIf this doesn't solve it, reply to this message and a teammate " +
  'will take it from here.';
/** The acknowledgement of a handoff playbook that has none. */
export const DEFAULT_HANDOFF_TEMPLATE =
  'Hi {{customer.firstName}},\n\nThanks for reaching out. A teammate will get back to you shortly.';

const MAX_PASSAGES = 3;
const MAX_UNITS = 6;
const MAX_LIST_ITEMS = 12;
const MAX_PARAGRAPH_SENTENCES = 4;
const MAX_CHARS = 900;
const SHORT_PASSAGE_CHARS = 600;
const ANSWER_SENTINEL = '\u0000answer\u0000';

/** One sentence or list item of a reply's body, with where it comes from and the block it belongs to. */
export interface BodyUnit {
  text: string;
  /** Article id, or `none` for text that states no fact. */
  source: string;
  /** Units with the same block key render together (one paragraph or one list). */
  block: string;
  list?: 'ul' | 'ol' | undefined;
}

/** Parses passages given as ours or as retrieval hits. */
export const toPassages = (passages: PassageInput[]): Passage[] => passages.map((p) => PassageInputSchema.parse(p));

type Block = { kind: 'p'; lines: string[] } | { kind: 'ul' | 'ol'; items: string[] };

function bodyBlocks(units: BodyUnit[]): Block[] {
  const blocks: Block[] = [];
  let key: string | null = null;
  for (const u of units) {
    const last = blocks.at(-1);
    if (u.block === key && last) {
      if (last.kind === 'p') last.lines[0] = `${last.lines[0]} ${u.text}`;
      else last.items.push(u.text);
    } else {
      blocks.push(u.list ? { kind: u.list, items: [u.text] } : { kind: 'p', lines: [u.text] });
    }
    key = u.block;
  }
  return blocks;
}

const blockText = (b: Block): string =>
  b.kind === 'p'
    ? b.lines.join('\n')
    : b.items.map((item, i) => `${b.kind === 'ol' ? `${i + 1}.` : '-'} ${item}`).join('\n');

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const blockHtml = (b: Block): string =>
  b.kind === 'p'
    ? `<p>${b.lines.map(escapeHtml).join('<br>')}</p>`
    : `<${b.kind}>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</${b.kind}>`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The plan sentence, when the body talks about plans and the template does not mention the plan itself. */
function planSentence(template: string, context: ReplyContext, body: BodyUnit[]): string | null {
  const plan = context.account?.plan?.trim();
  if (!plan || placeholdersOf(template).includes('account.plan') || body.length === 0) return null;
  const said = body.map((u) => u.text).join(' ');
  const relevant =
    /\b(plans?|tiers?|subscription)\b/i.test(said) || new RegExp(`\\b${escapeRegExp(plan)}\\b`, 'i').test(said);
  if (!relevant) return null;
  return /\bplan$/i.test(plan) ? `You're on the ${plan}.` : `You're on the ${plan} plan.`;
}

/** What a reply says apart from its body: the rendered template around it. */
export interface ReplyParts {
  template: string;
  context: ReplyContext;
  body: BodyUnit[];
  passages: Passage[];
  actionResult?: unknown;
  /** Whether the body is knowledge (answer replies are graded on grounding and coverage). */
  knowledge: boolean;
  coverage: number;
  /** A grounding score already measured (the LLM path measures it on the redacted text). */
  groundingScore?: number | undefined;
}

/**
 * Renders a reply: the template with `{{answer}}` replaced by the body (a paragraph of its own becomes
 * the body's paragraphs and lists), plain text and HTML, every sentence with its source.
 */
export function renderReply(parts: ReplyParts): ComposedAnswer {
  const { template, context, body } = parts;
  const rendered = renderTemplate(template, context, { answer: ANSWER_SENTINEL, actionResult: parts.actionResult });
  const plan = planSentence(template, context, body);
  const blocks: Block[] = [];
  const sentences: AnswerSentence[] = [];
  const templateParagraph = (text: string) => {
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (!lines.length) return;
    blocks.push({ kind: 'p', lines });
    for (const line of lines) for (const s of splitSentences(line)) sentences.push({ text: s, source: 'template' });
  };
  const bodyText = () => bodyBlocks(body).map(blockText).join('\n\n');
  for (const paragraph of rendered.split(/\n\s*\n/)) {
    if (paragraph.trim() === ANSWER_SENTINEL) {
      blocks.push(...bodyBlocks(body));
      sentences.push(...body.map((u) => ({ text: u.text, source: u.source })));
      if (plan) templateParagraph(plan);
    } else if (paragraph.includes(ANSWER_SENTINEL)) {
      const [before, after] = paragraph.split(ANSWER_SENTINEL, 2) as [string, string];
      const lines = `${before}${bodyText()}${after}`
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      if (lines.length) blocks.push({ kind: 'p', lines });
      for (const s of splitSentences(before)) sentences.push({ text: s, source: 'template' });
      sentences.push(...body.map((u) => ({ text: u.text, source: u.source })));
      for (const s of splitSentences(after)) sentences.push({ text: s, source: 'template' });
    } else {
      templateParagraph(paragraph);
    }
  }
  const knowledgeSentences = sentences.filter((s) => s.source !== 'template' && s.source !== 'none');
  const sources = [...new Set(knowledgeSentences.map((s) => s.source))].map((articleId) => ({
    articleId,
    title: parts.passages.find((p) => p.articleId === articleId)?.title ?? '',
  }));
  return {
    text: blocks.map(blockText).join('\n\n'),
    html: blocks.map(blockHtml).join('\n'),
    sources,
    sentences,
    groundingScore: parts.knowledge ? (parts.groundingScore ?? checkGrounding(sentences, parts.passages).score) : 1,
    coverage: parts.knowledge ? parts.coverage : 1,
  };
}

type ScoredUnit = BodyUnit & { index: number; words: Set<string>; kind: 'sentence' | 'item' };

/**
 * Picks what to quote: the best passage whole when it is short, else its most relevant paragraphs and
 * lists (see `pickBlocks`); from the next passages, their best sentence when it covers words of the
 * question not yet covered. Coverage is the weighted share of the question's words the quote contains.
 */
export function selectSentences(question: string, passages: Passage[]): { units: BodyUnit[]; coverage: number } {
  const ranked = [...passages].sort((a, b) => b.score - a.score);
  const top = ranked[0];
  if (!top) return { units: [], coverage: 0 };
  const kept = ranked.filter((p, i) => i < MAX_PASSAGES && (top.score <= 0 || p.score >= top.score * 0.5));
  const perPassage = kept.map((p, passageIndex) =>
    splitUnits(p.text)
      .filter((u) => u.kind !== 'heading')
      .map(
        (u, index): ScoredUnit => ({
          text: u.text,
          source: p.articleId,
          block: `${passageIndex}:${u.block}`,
          list: u.list,
          kind: u.kind as 'sentence' | 'item',
          index,
          words: new Set(contentWords(u.text)),
        }),
      ),
  );
  const weights = questionWeights(
    question,
    perPassage.flat().map((u) => u.words),
  );
  const relevance = (u: ScoredUnit) => weights.share(u.words);
  const questionWords = weights.words;

  const first = perPassage[0]!;
  const bestFirst = Math.max(0, ...first.map(relevance));
  let chosen: ScoredUnit[];
  if (top.text.length <= SHORT_PASSAGE_CHARS && first.length <= MAX_UNITS) chosen = first;
  else if (bestFirst === 0) chosen = first.slice(0, 2);
  else chosen = pickBlocks(first, weights.share);
  const covered = new Set(questionWords.filter((w) => chosen.some((u) => u.words.has(w))));
  for (const units of perPassage.slice(1)) {
    const best = [...units].sort((a, b) => relevance(b) - relevance(a))[0];
    if (!best || relevance(best) === 0 || relevance(best) < bestFirst * 0.6) continue;
    const adds = questionWords.filter((w) => best.words.has(w) && !covered.has(w));
    const duplicate = chosen.some((u) => jaccard(u.words, best.words) >= 0.7);
    if (!adds.length || duplicate) continue;
    chosen.push(best);
    adds.forEach((w) => covered.add(w));
  }
  const units: BodyUnit[] = [];
  let chars = 0;
  for (const u of chosen) {
    if (units.length && chars + u.text.length > MAX_CHARS) break;
    units.push({ text: u.text, source: u.source, block: u.block, list: u.list });
    chars += u.text.length;
  }
  return { units, coverage: weights.coverage(units.map((u) => u.text)) };
}

/**
 * The question's content words weighted by rarity among the passages' units (words no unit has weigh 1),
 * with the weighted share of them a unit or a set of texts covers.
 */
export function questionWeights(question: string, units: Set<string>[]) {
  const words = [...new Set(contentWords(question))];
  const weight = new Map(
    words.map((w) => {
      const df = units.filter((u) => u.has(w)).length;
      return [w, df === 0 ? 1 : Math.log(1 + units.length / df)] as const;
    }),
  );
  const total = [...weight.values()].reduce((a, b) => a + b, 0);
  const share = (has: Set<string>) =>
    total ? words.filter((w) => has.has(w)).reduce((a, w) => a + weight.get(w)!, 0) / total : 0;
  return {
    words,
    share,
    /** Weighted share of the question's words the texts contain, rounded to 3 decimals. */
    coverage: (texts: string[]) => Math.round(share(new Set(texts.flatMap(contentWords))) * 1000) / 1000,
  };
}

/** The content-word sets of the units of passages (for `questionWeights`). */
export const passageUnitWords = (passages: Passage[]): Set<string>[] =>
  passages.flatMap((p) => splitUnits(p.text).map((u) => new Set(contentWords(u.text))));

/**
 * Picks from a long passage: its most relevant paragraph or list whole (a list with the sentence that
 * introduces it; a long paragraph by its relevant sentences), then other blocks nearly as relevant.
 */
function pickBlocks(units: ScoredUnit[], share: (words: Set<string>) => number): ScoredUnit[] {
  const byBlock = new Map<string, ScoredUnit[]>();
  for (const u of units) byBlock.set(u.block, [...(byBlock.get(u.block) ?? []), u]);
  const blocks = [...byBlock.values()];
  const blockShare = new Map(blocks.map((b) => [b, share(new Set(b.flatMap((u) => [...u.words])))] as const));
  const ranked = [...blocks].sort((a, b) => blockShare.get(b)! - blockShare.get(a)!);
  const best = blockShare.get(ranked[0]!)!;
  const picked = new Set<ScoredUnit>();
  let chars = 0;
  for (const block of ranked) {
    if (picked.size && blockShare.get(block)! < best * 0.75) break;
    let take = block.slice(0, MAX_LIST_ITEMS);
    const long =
      block[0]!.kind === 'sentence' &&
      (block.length > MAX_PARAGRAPH_SENTENCES || block.reduce((n, u) => n + u.text.length, 0) > SHORT_PASSAGE_CHARS);
    if (long) {
      const top = Math.max(...block.map((u) => share(u.words)));
      take = block
        .filter((u) => share(u.words) >= top * 0.5)
        .sort((a, b) => share(b.words) - share(a.words))
        .slice(0, 3);
    }
    const intro = block[0]!.kind === 'item' ? units[block[0]!.index - 1] : undefined;
    if (intro?.kind === 'sentence') take = [intro, ...take];
    const size = take.reduce((n, u) => n + u.text.length, 0);
    if (picked.size && chars + size > MAX_CHARS) continue;
    take.forEach((u) => picked.add(u));
    chars += size;
  }
  return units.filter((u) => picked.has(u));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  const inter = [...a].filter((x) => b.has(x)).length;
  const union = new Set([...a, ...b]).size;
  return union ? inter / union : 0;
}

/** What `composeAnswer` needs. */
export interface ComposeInput {
  playbook: Pick<Playbook, 'kind' | 'template' | 'action'>;
  /** The customer's question (the ticket's subject and message). */
  question: string;
  passages: PassageInput[];
  customer?: ReplyContext['customer'];
  account?: ReplyContext['account'];
  ticket?: ReplyContext['ticket'];
  /** For action playbooks: the action's result (missing or failed → the failure template). */
  actionResult?: ActionResult | undefined;
  /** What enrichment knows (templates' `{{billing.*}}` and `{{page.*}}`, and the billing notice). */
  facts?: CustomerFacts | null | undefined;
}

/** The billing notice (`billingNotice`) as the first paragraph of an answer's body, stated from the facts. */
export function noticeUnits(question: string, facts: CustomerFacts | null | undefined): BodyUnit[] {
  const lines = facts ? billingNotice(question, facts) : null;
  return (lines ?? []).map((text) => ({ text, source: 'template', block: 'notice' }));
}

/**
 * Composes a reply without an LLM. Answer playbooks quote the passages inside their template; action
 * playbooks fill their success or failure template with the action's result; handoff playbooks
 * acknowledge. An answer with no relevant passage has an empty body, no sources and a grounding of 0.
 * @example composeAnswer({ playbook, question: 'How do I export to CSV?', passages, customer, account })
 */
export function composeAnswer(input: ComposeInput): ComposedAnswer {
  const context: ReplyContext = {
    customer: input.customer ?? null,
    account: input.account ?? null,
    ticket: input.ticket ?? null,
    facts: input.facts ?? null,
  };
  const passages = toPassages(input.passages);
  const { playbook } = input;
  if (playbook.kind === 'answer') {
    const { units, coverage } = selectSentences(input.question, passages);
    // A past-due account asking about access or paying: the facts answer the ask, the passages say what to do.
    const notice = noticeUnits(input.question, input.facts);
    return renderReply({
      template: playbook.template ?? DEFAULT_ANSWER_TEMPLATE,
      context,
      body: [...notice, ...units],
      passages,
      knowledge: true,
      coverage: notice.length ? 1 : coverage,
    });
  }
  if (playbook.kind === 'action' && playbook.action) {
    const ok = input.actionResult?.ok === true;
    const template = ok ? playbook.action.successTemplate : playbook.action.failureTemplate;
    return renderReply({
      template,
      context,
      body: [],
      passages: [],
      actionResult: input.actionResult?.result,
      knowledge: false,
      coverage: 1,
    });
  }
  return renderReply({
    template: playbook.template ?? DEFAULT_HANDOFF_TEMPLATE,
    context,
    body: [],
    passages: [],
    knowledge: false,
    coverage: 1,
  });
}
