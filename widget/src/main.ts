/**
 * The Deskmind chat widget: one `<script>` tag, everything inside a shadow root (no host styles leak in,
 * none leak out), one global (`window.Deskmind`).
 *
 * <script src="https://desk.example.com/widget.js" data-workspace="wgt_…" async></script>
 * Optional: data-app-version, and for verified signed-in users data-user-id + data-user-hash (HMAC-SHA256 of
 * the id with the widget secret, computed on the host's server) + data-user-name.
 */
import { STYLES } from './styles.js';
import { button, createWalkthrough, type Walkthrough } from './walkthrough.js';
import { stateNotice, type TicketState } from './notices.js';

interface WidgetMessage {
  id: string;
  authorType: 'customer' | 'agent' | 'assistant' | 'system';
  text: string;
  createdAt: string;
}
interface WidgetTicket {
  id: string;
  subject: string;
  status: string;
  awaitingFeedback: boolean;
  humanRequested: boolean;
  state: TicketState['state'];
  reopened: boolean;
  expectedReplyBy: string | null;
  messages: WidgetMessage[];
  walkthroughs: Walkthrough[];
}
interface Identity {
  userId?: string;
  userHash?: string;
  name?: string;
  email?: string;
}

const script =
  (document.currentScript as HTMLScriptElement | null) ??
  document.querySelector<HTMLScriptElement>('script[data-workspace][src*="widget"]');
const data = script?.dataset ?? {};
const widgetId = data.workspace ?? '';
const apiBase = `${new URL(script?.src ?? location.href, location.href).origin}/api/v1/widget`;

// ── page context ─────────────────────────────────────────────────────────────
const errors: string[] = [];
const remember = (msg: string) => {
  errors.push(msg.slice(0, 500));
  if (errors.length > 10) errors.shift();
};
window.addEventListener('error', (e) =>
  remember(`${e.message}${e.filename ? ` at ${e.filename}:${e.lineno}:${e.colno}` : ''}`),
);
window.addEventListener('unhandledrejection', (e) => {
  const r = e.reason as { message?: string } | string | undefined;
  remember(`Unhandled rejection: ${typeof r === 'string' ? r : (r?.message ?? String(r))}`);
});

/** Where the customer is: URL, route, feature markers, app version and the page's recent JavaScript errors. */
function pageContext() {
  const features = [
    ...new Set(
      [...document.querySelectorAll<HTMLElement>('[data-deskmind-feature]')]
        .map((el) => el.dataset.deskmindFeature!)
        .filter(Boolean),
    ),
  ].slice(0, 50);
  const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-deskmind-feature]')
    ?.dataset.deskmindFeature;
  return {
    url: location.href.slice(0, 2048),
    route: (location.pathname + location.hash).slice(0, 512),
    title: document.title.slice(0, 500),
    ...(features.length ? { features, featureId: focused ?? features[0]! } : {}),
    ...(data.appVersion ? { appVersion: data.appVersion.slice(0, 100) } : {}),
    ...(errors.length ? { recentErrors: [...errors] } : {}),
  };
}

// ── API ──────────────────────────────────────────────────────────────────────
let token: string | null = null;
let identity: Identity = { userId: data.userId, userHash: data.userHash, name: data.userName, email: data.userEmail };

class WidgetError extends Error {}

/**
 * One API call. A POST carries an Idempotency-Key and is retried with the same key (so never applied twice)
 * when the server is briefly unavailable (503, or no answer at all).
 */
async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const key =
    method === 'POST'
      ? Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
      : null;
  const send = () =>
    fetch(`${apiBase}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { 'x-deskmind-widget-token': token } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  let res: Response | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    res = await send().catch(() => null);
    if (res && res.status !== 503) break;
    if (attempt < 3)
      await new Promise((r) =>
        setTimeout(r, Math.min(10, Number(res?.headers.get('retry-after')) || 2 ** attempt) * 1000),
      );
  }
  if (!res) throw new WidgetError('The help desk cannot be reached; try again in a moment');
  const json = (await res.json().catch(() => ({}))) as T & { detail?: string; code?: string };
  if (!res.ok) {
    // A session refused is the site's set-up (e.g. a wrong data-user-hash), not something the customer can fix:
    // the details go to the developer's console, the customer gets a plain sentence.
    if (path === '/session') {
      console.warn(`Deskmind widget: the chat session was refused (${json.code ?? res.status}): ${json.detail ?? ''}`);
      throw new WidgetError(
        'Sorry, the chat cannot start on this page right now. Please reload the page or contact us another way.',
      );
    }
    throw new WidgetError(
      res.status >= 500
        ? 'Something went wrong on our side. Please try again in a moment.'
        : (json.detail ?? `Request failed (${res.status})`),
    );
  }
  return json;
}

function visitorId(): string {
  const key = 'deskmind_visitor';
  let id = localStorage.getItem(key);
  if (!id || !/^[A-Za-z0-9_-]{16,100}$/.test(id)) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(key, id);
  }
  return id;
}

async function ensureSession(): Promise<{ title: string; greeting: string }> {
  const clean = Object.fromEntries(Object.entries(identity).filter(([, v]) => v));
  const s = await call<{ token: string; title: string; greeting: string }>('POST', '/session', {
    widgetId,
    ...clean,
    ...(identity.userHash ? {} : { visitorId: visitorId() }),
  });
  token = s.token;
  return s;
}

// ── UI ───────────────────────────────────────────────────────────────────────
const host = document.createElement('div');
host.id = 'deskmind-widget';
const root = host.attachShadow({ mode: 'open' });
// A constructed style sheet is not inline CSS, so a host page's Content-Security-Policy does not block it.
const canAdopt = 'adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype;
if (canAdopt) {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLES);
  root.adoptedStyleSheets = [sheet];
}
root.innerHTML =
  `${canAdopt ? '' : `<style>${STYLES}</style>`}
<button class="launcher" part="launcher" aria-label="Open support chat" aria-expanded="false" aria-controls="dm-panel">
  <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">` +
  `<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>
</button>
<section class="panel" id="dm-panel" role="dialog" aria-modal="false" aria-labelledby="dm-title" hidden>
  <header><h2 id="dm-title">Help</h2><button class="close" aria-label="Close support chat">×</button></header>
  <ol class="messages" aria-label="Conversation"></ol>
  <p class="sr-only" aria-live="polite" id="dm-announce"></p>
  <div class="actions"></div>
  <form class="composer">
    <label for="dm-input" class="sr-only">Your message</label>
    <textarea id="dm-input" rows="2" placeholder="Ask a question…" required maxlength="20000"></textarea>
    <button type="submit" class="send">Send</button>
  </form>
  <p class="status" role="status"></p>
</section>
<div class="walk-layer"></div>`;

const $ = <T extends Element>(sel: string) => root.querySelector(sel) as T;
const launcher = $<HTMLButtonElement>('.launcher');
const panel = $<HTMLElement>('.panel');
const list = $<HTMLOListElement>('.messages');
const actions = $<HTMLDivElement>('.actions');
const form = $<HTMLFormElement>('.composer');
const input = $<HTMLTextAreaElement>('#dm-input');
const statusLine = $<HTMLParagraphElement>('.status');
const walkthrough = createWalkthrough($<HTMLDivElement>('.walk-layer'));

let ticket: WidgetTicket | null = null;
let announced = '';
let greeting = '';
let events: EventSource | null = null;
let poll: ReturnType<typeof setInterval> | undefined;
const storeKey = `deskmind_ticket_${widgetId}`;

const label = (a: WidgetMessage['authorType']) =>
  ({ customer: 'You', agent: 'Support agent', assistant: 'Assistant', system: 'Support' })[a];

function render(): void {
  list.replaceChildren();
  const item = (cls: string, who: string, text: string) => {
    const li = document.createElement('li');
    li.className = `msg ${cls}`;
    const name = document.createElement('span');
    name.className = 'who';
    name.textContent = who;
    const body = document.createElement('p');
    body.textContent = text;
    li.append(name, body);
    list.append(li);
  };
  if (greeting) item('assistant', 'Assistant', greeting);
  for (const m of ticket?.messages ?? []) item(m.authorType, label(m.authorType), m.text);
  const notice = ticket ? stateNotice(ticket, new Date()) : null;
  if (notice) item(notice.cls, notice.who, notice.text);
  panel.dataset.state = ticket?.state ?? 'empty';
  renderActions();
  list.scrollTop = list.scrollHeight;
  // Screen readers hear each new answer once (the list itself is redrawn on every update).
  const latest = [...(ticket?.messages ?? [])].reverse().find((m) => m.authorType !== 'customer');
  if (latest && latest.id !== announced) {
    announced = latest.id;
    $<HTMLParagraphElement>('#dm-announce').textContent = `${label(latest.authorType)}: ${latest.text}`;
  }
}

function renderActions(): void {
  actions.replaceChildren();
  if (!ticket) return;
  for (const w of ticket.walkthroughs)
    actions.append(button(`Show me how: ${w.title}`, 'walk', () => walkthrough.start(w)));
  if (ticket.awaitingFeedback) {
    actions.append(
      button('Solved', 'solved', () => void feedback('solved')),
      button('Talk to a human', 'human', () => void feedback('need_human')),
    );
  }
}

async function refresh(): Promise<void> {
  if (!ticket) return;
  try {
    ticket = await call<WidgetTicket>('GET', `/tickets/${ticket.id}`);
    render();
  } catch (err) {
    if (err instanceof WidgetError) statusLine.textContent = err.message;
  }
}

function follow(id: string): void {
  events?.close();
  clearInterval(poll);
  if (!token) return;
  events = new EventSource(`${apiBase}/tickets/${id}/stream?token=${encodeURIComponent(token)}`);
  events.onmessage = () => void refresh();
  events.onopen = () => void refresh();
  // Polling only while the event stream is down.
  poll = setInterval(() => {
    if (events?.readyState !== EventSource.OPEN) void refresh();
  }, 5000);
}

async function feedback(outcome: 'solved' | 'need_human'): Promise<void> {
  if (!ticket) return;
  ticket = await call<WidgetTicket>('POST', `/tickets/${ticket.id}/feedback`, { outcome });
  statusLine.textContent = outcome === 'solved' ? 'Glad it helped!' : 'We are getting a person for you.';
  render();
}

async function send(text: string): Promise<void> {
  statusLine.textContent = '';
  if (!token) await ensureSession();
  const body = { text, pageContext: pageContext() };
  ticket =
    ticket && ticket.status !== 'closed'
      ? await call<WidgetTicket>('POST', `/tickets/${ticket.id}/messages`, body)
      : await call<WidgetTicket>('POST', '/tickets', body);
  localStorage.setItem(storeKey, ticket.id);
  render();
  follow(ticket.id);
}

let opened = false;
async function open(): Promise<void> {
  panel.hidden = false;
  launcher.setAttribute('aria-expanded', 'true');
  input.focus();
  if (opened) return;
  opened = true;
  try {
    const s = await ensureSession();
    $<HTMLHeadingElement>('#dm-title').textContent = s.title;
    greeting = s.greeting;
    const saved = localStorage.getItem(storeKey);
    if (saved) {
      ticket = await call<WidgetTicket>('GET', `/tickets/${saved}`).catch(() => null);
      if (ticket) follow(ticket.id);
    }
    render();
  } catch (err) {
    opened = false;
    statusLine.textContent = err instanceof Error ? err.message : 'The chat is unavailable';
  }
}

function close(): void {
  panel.hidden = true;
  launcher.setAttribute('aria-expanded', 'false');
  launcher.focus();
}

launcher.addEventListener('click', () => (panel.hidden ? void open() : close()));
$<HTMLButtonElement>('.close').addEventListener('click', close);
panel.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') close();
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    form.requestSubmit();
  }
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  const sendButton = $<HTMLButtonElement>('.send');
  sendButton.disabled = true;
  send(text)
    .then(() => (input.value = ''))
    .catch((err: unknown) => (statusLine.textContent = err instanceof Error ? err.message : 'Could not send'))
    .finally(() => (sendButton.disabled = false));
});

const mount = () => document.body.append(host);
if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount);

/** The one global: open the chat, or identify a user who signed in after the page loaded. */
(window as unknown as { Deskmind: unknown }).Deskmind = {
  open: () => void open(),
  close,
  identify(next: Identity) {
    identity = { ...next };
    token = null;
    opened = false;
    ticket = null;
    localStorage.removeItem(storeKey);
  },
  pageContext,
};
