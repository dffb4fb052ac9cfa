import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from './api.js';
import { navigate } from './router.js';
import type { ApiKey, Article, Autonomy, Playbook, RoutingRule, Team, WidgetSettings } from './types.js';

const TABS: [string, string][] = [
  ['playbooks', 'Taxonomy & playbooks'],
  ['autonomy', 'Autonomy & shadow mode'],
  ['kb', 'Knowledge base'],
  ['routing', 'Routing rules'],
  ['sla', 'SLA policies'],
  ['keys', 'API keys'],
  ['widget', 'Widget'],
];

/** Loads `path` and keeps the result, with a reload and the last error. */
function useResource<T>(path: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const reload = useCallback(async () => {
    try {
      setData(await api<T>('GET', path));
      setError('');
    } catch (err) {
      setError(errorText(err));
    }
  }, [path]);
  useEffect(() => void reload(), [reload]);
  return { data, error, reload, setError };
}

function Status({ error, notice }: { error?: string; notice?: string }) {
  return <>{error && <p role="alert" className="error">{error}</p>}{notice && <p role="status" className="notice">{notice}</p>}</>;
}

export function Admin({ tab }: { tab: string }) {
  return (
    <div className="admin">
      <nav className="views" aria-label="Admin sections">
        <ul>
          {TABS.map(([id, label]) => (
            <li key={id}><a href={`/admin/${id}`} aria-current={id === tab ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate(`/admin/${id}`); }}>{label}</a></li>
          ))}
        </ul>
      </nav>
      <main className="admin-main">
        {tab === 'playbooks' && <Playbooks />}
        {tab === 'autonomy' && <AutonomyScreen />}
        {tab === 'kb' && <Knowledge />}
        {tab === 'routing' && <Routing />}
        {tab === 'sla' && <Sla />}
        {tab === 'keys' && <Keys />}
        {tab === 'widget' && <Widget />}
      </main>
    </div>
  );
}

interface TaxonomyIntent { id: string; label: string; description: string; team: string; automatable: boolean }

function Playbooks() {
  const { data, error, reload, setError } = useResource<{ data: Playbook[] }>('/playbooks');
  const taxonomy = useResource<{ data: TaxonomyIntent[] }>('/taxonomy');
  const [form, setForm] = useState({ intent: '', kind: 'answer', mode: 'shadow', template: '', threshold: '' });
  const [notice, setNotice] = useState('');
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await api('PUT', `/playbooks/${encodeURIComponent(form.intent)}`, { kind: form.kind, mode: form.mode, template: form.template || null, threshold: form.threshold ? Number(form.threshold) : null });
      setNotice(`Saved the playbook of ${form.intent}`);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="pb-title">
      <h1 id="pb-title">Taxonomy & playbooks</h1>
      <p className="muted">What the assistant does for each intent of the taxonomy: answer from the knowledge base, run an action, or always hand off.</p>
      <Status error={error} notice={notice} />
      <table>
        <thead><tr><th>Intent</th><th>Description</th><th>Usual team</th><th>Kind</th><th>Mode</th><th>Threshold</th><th /></tr></thead>
        <tbody>
          {[...new Set([...(taxonomy.data?.data.map((t) => t.id) ?? []), ...(data?.data.map((p) => p.intent) ?? [])])].map((intent) => {
            const p = data?.data.find((x) => x.intent === intent);
            const t = taxonomy.data?.data.find((x) => x.id === intent);
            return (
              <tr key={intent}>
                <td><strong>{t?.label ?? intent}</strong><br /><code className="small">{intent}</code></td>
                <td className="small">{t?.description ?? 'custom intent'}</td><td>{t?.team ?? '—'}</td>
                <td>{p?.kind ?? <span className="muted">no playbook</span>}</td><td>{p?.mode ?? ''}</td><td>{p ? (p.threshold ?? 'default') : ''}</td>
                <td><button aria-label={`Edit the playbook of ${intent}`} onClick={() => setForm(p ? { intent, kind: p.kind, mode: p.mode, template: p.template ?? '', threshold: p.threshold == null ? '' : String(p.threshold) } : { intent, kind: 'answer', mode: 'shadow', template: '', threshold: '' })}>{p ? 'Edit' : 'Add'}</button></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form className="stack" onSubmit={save} aria-label="Playbook">
        <h2>{form.intent ? `Playbook: ${form.intent}` : 'New playbook'}</h2>
        <label>Intent <input value={form.intent} onChange={(e) => setForm({ ...form, intent: e.target.value })} required pattern="[a-z0-9_.\-]+" /></label>
        <label>Kind <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}><option>answer</option><option>handoff</option><option>action</option></select></label>
        <label>Mode <select value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value })}><option>auto</option><option>shadow</option><option>off</option></select></label>
        <label>Threshold (empty: default) <input type="number" min={0} max={1} step={0.01} value={form.threshold} onChange={(e) => setForm({ ...form, threshold: e.target.value })} /></label>
        <label>Template <textarea rows={3} value={form.template} onChange={(e) => setForm({ ...form, template: e.target.value })} placeholder="Hi {{customer.firstName}}, {{answer}}" /></label>
        <button className="primary" type="submit" disabled={!form.intent}>Save playbook</button>
      </form>
    </section>
  );
}

interface Thresholds { defaultThreshold: number; current: Record<string, number>; proposals: { intent: string; current: number; proposed: number; action: string; reason: string; atCurrent: Record<string, unknown>; atProposed: Record<string, unknown> }[] }

function AutonomyScreen() {
  const autonomy = useResource<Autonomy>('/settings/autonomy');
  const thresholds = useResource<Thresholds>('/learning/thresholds');
  const [notice, setNotice] = useState('');
  const [intent, setIntent] = useState('');
  const [value, setValue] = useState('0.9');
  const patch = async (body: Partial<Autonomy>, what: string) => {
    try {
      await api('PATCH', '/settings/autonomy', body);
      setNotice(what);
      await Promise.all([autonomy.reload(), thresholds.reload()]);
    } catch (err) {
      autonomy.setError(errorText(err));
    }
  };
  const a = autonomy.data;
  const ev = (e: Record<string, unknown>) => Object.entries(e).map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : String(v)}`).join(' · ');
  return (
    <section aria-labelledby="au-title">
      <h1 id="au-title">Autonomy & shadow mode</h1>
      <Status error={autonomy.error || thresholds.error} notice={notice} />
      {a && (
        <>
          <label className="check big">
            <input type="checkbox" checked={!!a.shadowMode} onChange={(e) => void patch({ shadowMode: e.target.checked }, e.target.checked ? 'Shadow mode on: the assistant drafts, people send' : 'Shadow mode off')} />
            Shadow mode — the assistant only drafts; a person approves every reply
          </label>
          <form className="inline" onSubmit={(e) => { e.preventDefault(); const v = Number(new FormData(e.currentTarget).get('def')); void patch({ defaultThreshold: v }, 'Default threshold saved'); }}>
            <label>Default confidence threshold <input name="def" type="number" min={0} max={1} step={0.01} defaultValue={a.defaultThreshold} /></label>
            <button type="submit">Save</button>
          </form>
          <form className="inline" onSubmit={(e) => { e.preventDefault(); if (intent) void patch({ intentThresholds: { [intent]: Number(value) } }, `Threshold of ${intent} saved`); }}>
            <label>Intent <input value={intent} onChange={(e) => setIntent(e.target.value)} /></label>
            <label>Threshold <input type="number" min={0} max={1} step={0.01} value={value} onChange={(e) => setValue(e.target.value)} /></label>
            <button type="submit">Set</button>
          </form>
        </>
      )}
      <h2>Per-intent thresholds and their evidence</h2>
      <table>
        <thead><tr><th>Intent</th><th>In force</th><th>Proposed</th><th>Why</th><th>Evidence at current</th><th>Evidence at proposed</th></tr></thead>
        <tbody>
          {thresholds.data?.proposals.map((p) => (
            <tr key={p.intent}><td>{p.intent}</td><td>{p.current}</td><td>{p.proposed} ({p.action})</td><td>{p.reason}</td><td className="small">{ev(p.atCurrent)}</td><td className="small">{ev(p.atProposed)}</td></tr>
          ))}
          {thresholds.data && Object.entries(thresholds.data.current).filter(([i]) => !thresholds.data!.proposals.some((p) => p.intent === i)).map(([i, v]) => <tr key={i}><td>{i}</td><td>{v}</td><td colSpan={4} className="muted">no evidence yet</td></tr>)}
        </tbody>
      </table>
      <button onClick={() => void api('POST', '/learning/thresholds/tune').then(() => { setNotice('Tuned'); return thresholds.reload(); }, (err) => thresholds.setError(errorText(err)))}>Tune now</button>
    </section>
  );
}

type Step = { title: string; selector: string; body?: string };
const emptyArticle = { id: '', title: '', body: '', intents: '', tags: '', status: 'published', walkthrough: [] as Step[] };

function Knowledge() {
  const { data, error, reload, setError } = useResource<{ data: Article[] }>('/articles?limit=200');
  const [form, setForm] = useState(emptyArticle);
  const [notice, setNotice] = useState('');
  const edit = (a: Article) => setForm({ id: a.id, title: a.title, body: a.body, intents: a.intents.join(', '), tags: a.tags.join(', '), status: a.status, walkthrough: (a.walkthrough ?? []).map((s) => ({ ...s })) });
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  const setStep = (i: number, patch: Partial<Step>) => setForm({ ...form, walkthrough: form.walkthrough.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const move = (i: number, d: number) => {
    const w = [...form.walkthrough];
    const [s] = w.splice(i, 1);
    w.splice(Math.min(Math.max(0, i + d), w.length), 0, s!);
    setForm({ ...form, walkthrough: w });
  };
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const body = {
      title: form.title, body: form.body, intents: list(form.intents), tags: list(form.tags), status: form.status,
      walkthrough: form.walkthrough.length ? form.walkthrough.map((s) => ({ title: s.title, selector: s.selector, ...(s.body ? { body: s.body } : {}) })) : null,
    };
    try {
      const saved = form.id ? await api<Article>('PATCH', `/articles/${form.id}`, body) : await api<Article>('POST', '/articles', body);
      setNotice(`Saved "${saved.title}" (version ${saved.version})`);
      edit(saved);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="kb-title2" className="kb">
      <h1 id="kb-title2">Knowledge base</h1>
      <Status error={error} notice={notice} />
      <div className="split">
        <ul className="list">
          <li><button onClick={() => setForm(emptyArticle)}>+ New article</button></li>
          {data?.data.map((a) => <li key={a.id}><button className={a.id === form.id ? 'selected' : ''} onClick={() => edit(a)}>{a.title} <span className="muted">v{a.version}{a.walkthrough?.length ? ' · walkthrough' : ''}</span></button></li>)}
        </ul>
        <form className="stack" onSubmit={save} aria-label="Article">
          <label>Title <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} required /></label>
          <label>Body (markdown) <textarea rows={10} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} required /></label>
          <label>Intents (comma separated) <input value={form.intents} onChange={(e) => setForm({ ...form, intents: e.target.value })} /></label>
          <label>Tags <input value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} /></label>
          <label>Status <select value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}><option>published</option><option>draft</option></select></label>
          <fieldset>
            <legend>Walkthrough steps (the widget highlights each element on the customer's page)</legend>
            {form.walkthrough.map((s, i) => (
              <div className="step" key={i}>
                <span>{i + 1}.</span>
                <label>Title <input value={s.title} onChange={(e) => setStep(i, { title: e.target.value })} required /></label>
                <label>CSS selector <input value={s.selector} onChange={(e) => setStep(i, { selector: e.target.value })} required placeholder="#export-button" /></label>
                <label>Text <input value={s.body ?? ''} onChange={(e) => setStep(i, { body: e.target.value })} /></label>
                <button type="button" aria-label={`Move step ${i + 1} up`} onClick={() => move(i, -1)}>↑</button>
                <button type="button" aria-label={`Move step ${i + 1} down`} onClick={() => move(i, 1)}>↓</button>
                <button type="button" aria-label={`Remove step ${i + 1}`} onClick={() => setForm({ ...form, walkthrough: form.walkthrough.filter((_, j) => j !== i) })}>✕</button>
              </div>
            ))}
            <button type="button" onClick={() => setForm({ ...form, walkthrough: [...form.walkthrough, { title: '', selector: '' }] })}>+ Add step</button>
          </fieldset>
          <button className="primary" type="submit">Save article</button>
        </form>
      </div>
    </section>
  );
}

function Routing() {
  const rules = useResource<{ data: RoutingRule[] }>('/routing/rules');
  const teams = useResource<{ data: Team[] }>('/teams');
  const [form, setForm] = useState({ name: '', conditions: '{ "intent": ["billing_refund"] }', teamId: '' });
  const [notice, setNotice] = useState('');
  const run = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setNotice(what);
      await rules.reload();
    } catch (err) {
      rules.setError(errorText(err));
    }
  };
  const teamName = (id: string | null) => teams.data?.data.find((t) => t.id === id)?.name ?? 'default team';
  return (
    <section aria-labelledby="rt-title">
      <h1 id="rt-title">Routing rules</h1>
      <p className="muted">The first enabled rule whose conditions match picks the team.</p>
      <Status error={rules.error} notice={notice} />
      <table>
        <thead><tr><th>#</th><th>Name</th><th>Conditions</th><th>Team</th><th>Enabled</th><th /></tr></thead>
        <tbody>
          {rules.data?.data.map((r) => (
            <tr key={r.id}>
              <td>{r.position}</td><td>{r.name}</td><td><code>{JSON.stringify(r.conditions)}</code></td><td>{teamName(r.teamId)}</td>
              <td><input type="checkbox" aria-label={`Enable ${r.name}`} checked={r.enabled} onChange={(e) => void run('Saved', () => api('PATCH', `/routing/rules/${r.id}`, { enabled: e.target.checked }))} /></td>
              <td><button onClick={() => void run('Deleted', () => api('DELETE', `/routing/rules/${r.id}`))}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="stack" aria-label="New rule" onSubmit={(e) => {
        e.preventDefault();
        void run('Rule added', async () => api('POST', '/routing/rules', { name: form.name, conditions: JSON.parse(form.conditions) as unknown, teamId: form.teamId || null }));
      }}>
        <h2>New rule</h2>
        <label>Name <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
        <label>Conditions (JSON: intent, tier, language, priority, tag, channel, featureId, pagePrefix, accountAttribute) <textarea rows={3} value={form.conditions} onChange={(e) => setForm({ ...form, conditions: e.target.value })} /></label>
        <label>Team <select value={form.teamId} onChange={(e) => setForm({ ...form, teamId: e.target.value })}><option value="">default team</option>{teams.data?.data.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
        <button className="primary" type="submit">Add rule</button>
      </form>
    </section>
  );
}

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
interface SlaPolicy { name: string; tiers: string[]; priorities: string[]; firstResponseMinutes: number; resolutionMinutes: number; businessHours: boolean }
interface SlaSettings { policies: SlaPolicy[]; defaultTier: string; calendar: { timezone: string; alwaysOpen: boolean } & Record<string, unknown>; atRisk: { fraction: number; minutes: number } }

/** SLA policies as a table (checked in order; the first matching tier and priority applies), and the workspace's defaults. */
function Sla() {
  const { data, error, reload, setError } = useResource<SlaSettings>('/sla/policies');
  const [form, setForm] = useState<SlaSettings | null>(null);
  const [notice, setNotice] = useState('');
  useEffect(() => { if (data) setForm(structuredClone(data)); }, [data]);
  if (!form) return <section aria-labelledby="sla-title"><h1 id="sla-title">SLA policies</h1><Status error={error} /></section>;
  const setPolicy = (i: number, patch: Partial<SlaPolicy>) => setForm({ ...form, policies: form.policies.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const list = (text: string) => text.split(',').map((x) => x.trim()).filter(Boolean);
  const minutes = (text: string) => Math.max(1, Math.round(Number(text) || 0));
  return (
    <section aria-labelledby="sla-title">
      <h1 id="sla-title">SLA policies</h1>
      <p className="muted">Checked in order: the first policy whose tiers and priorities match a ticket applies (empty matches any). Targets in minutes; business hours follow the calendar below.</p>
      <Status error={error} notice={notice} />
      <form className="stack wide" aria-label="SLA settings" onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api('PATCH', '/sla/policies', { policies: form.policies, defaultTier: form.defaultTier, calendar: { timezone: form.calendar.timezone, alwaysOpen: form.calendar.alwaysOpen }, atRisk: form.atRisk });
          setNotice('SLA settings saved');
          await reload();
        } catch (err) {
          setError(errorText(err));
        }
      }}>
        <div className="scroll-x"><table className="sla-table">
          <thead><tr><th>Name</th><th>Tiers</th><th>Priorities</th><th>First response (min)</th><th>Resolution (min)</th><th>Business hours</th><th /></tr></thead>
          <tbody>
            {form.policies.map((p, i) => (
              <tr key={i}>
                <td><input aria-label={`Policy ${i + 1} name`} value={p.name} onChange={(e) => setPolicy(i, { name: e.target.value })} required /></td>
                <td><input aria-label={`${p.name} tiers`} value={p.tiers.join(', ')} placeholder="any" onChange={(e) => setPolicy(i, { tiers: list(e.target.value) })} /></td>
                <td>{PRIORITIES.map((pr) => (
                  <label key={pr} className="inline"><input type="checkbox" checked={p.priorities.includes(pr)} onChange={(e) => setPolicy(i, { priorities: e.target.checked ? [...p.priorities, pr] : p.priorities.filter((x) => x !== pr) })} /> {pr}</label>
                ))}</td>
                <td><input type="number" min={1} aria-label={`${p.name} first response minutes`} value={p.firstResponseMinutes} onChange={(e) => setPolicy(i, { firstResponseMinutes: minutes(e.target.value) })} /></td>
                <td><input type="number" min={1} aria-label={`${p.name} resolution minutes`} value={p.resolutionMinutes} onChange={(e) => setPolicy(i, { resolutionMinutes: minutes(e.target.value) })} /></td>
                <td><input type="checkbox" aria-label={`${p.name} in business hours`} checked={p.businessHours} onChange={(e) => setPolicy(i, { businessHours: e.target.checked })} /></td>
                <td><button type="button" onClick={() => setForm({ ...form, policies: form.policies.filter((_, j) => j !== i) })}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table></div>
        <button type="button" onClick={() => setForm({ ...form, policies: [...form.policies, { name: 'New policy', tiers: [], priorities: [], firstResponseMinutes: 240, resolutionMinutes: 1440, businessHours: true }] })}>Add policy</button>
        <label>Tier of customers without an account <input value={form.defaultTier} onChange={(e) => setForm({ ...form, defaultTier: e.target.value })} required /></label>
        <label>Calendar time zone <input value={form.calendar.timezone} onChange={(e) => setForm({ ...form, calendar: { ...form.calendar, timezone: e.target.value } })} required /></label>
        <label className="inline"><input type="checkbox" checked={form.calendar.alwaysOpen} onChange={(e) => setForm({ ...form, calendar: { ...form.calendar, alwaysOpen: e.target.checked } })} /> Open around the clock (business hours ignored)</label>
        <label>At risk within this share of a target <input type="number" min={0} max={1} step={0.05} value={form.atRisk.fraction} onChange={(e) => setForm({ ...form, atRisk: { ...form.atRisk, fraction: Number(e.target.value) } })} /></label>
        <label>…or within these minutes <input type="number" min={0} value={form.atRisk.minutes} onChange={(e) => setForm({ ...form, atRisk: { ...form.atRisk, minutes: Math.round(Number(e.target.value) || 0) } })} /></label>
        <p className="muted">Opening hours per weekday and holidays: <code>PATCH /api/v1/sla/policies</code> with <code>calendar.days</code> and <code>calendar.holidays</code>.</p>
        <button className="primary" type="submit">Save</button>
      </form>
    </section>
  );
}

function Keys() {
  const { data, error, reload, setError } = useResource<{ data: ApiKey[] }>('/api-keys');
  const [name, setName] = useState('');
  const [role, setRole] = useState('agent');
  const [secret, setSecret] = useState('');
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <Status error={error} />
      {secret && <p role="status" className="notice">New key (shown once): <code>{secret}</code></p>}
      <table>
        <thead><tr><th>Name</th><th>Role</th><th>Prefix</th><th>Created</th><th>Last used</th><th /></tr></thead>
        <tbody>
          {data?.data.map((k) => (
            <tr key={k.id} className={k.revokedAt ? 'muted' : ''}>
              <td>{k.name}</td><td>{k.role}</td><td><code>{k.prefix}…</code></td><td>{new Date(k.createdAt).toLocaleDateString()}</td><td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : '—'}</td>
              <td>{k.revokedAt ? 'revoked' : <button onClick={() => void api('DELETE', `/api-keys/${k.id}`).then(reload, (err) => setError(errorText(err)))}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline" onSubmit={async (e) => {
        e.preventDefault();
        try {
          setSecret((await api<{ secret: string }>('POST', '/api-keys', { name, role })).secret);
          setName('');
          await reload();
        } catch (err) {
          setError(errorText(err));
        }
      }}>
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <label>Role <select value={role} onChange={(e) => setRole(e.target.value)}><option>agent</option><option>ingest</option><option>admin</option></select></label>
        <button className="primary" type="submit">Create key</button>
      </form>
    </section>
  );
}

function Widget() {
  const { data, error, reload, setError } = useResource<WidgetSettings>('/settings/widget');
  const [notice, setNotice] = useState('');
  const patch = async (body: Record<string, unknown>, what: string) => {
    try {
      await api('PATCH', '/settings/widget', body);
      setNotice(what);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const snippet = data ? `<script src="${location.origin}/widget.js" data-workspace="${data.publicId}"\n  data-app-version="1.0.0" data-user-id="USER_ID" data-user-hash="HMAC_SHA256_HEX" data-user-name="NAME" async></script>` : '';
  return (
    <section aria-labelledby="wg-title">
      <h1 id="wg-title">Chat widget</h1>
      <Status error={error} notice={notice} />
      {data && (
        <>
          <h2>Embed</h2>
          <pre className="mono">{snippet}</pre>
          <p>Public widget id: <code>{data.publicId}</code></p>
          <h2>Identity verification</h2>
          <p>Compute <code>userHash = HMAC-SHA256(secret, userId)</code> (hex) on your server. Secret: <code className="secret">{data.secret}</code></p>
          <label className="check big"><input type="checkbox" checked={!!data.identityRequired} onChange={(e) => void patch({ identityRequired: e.target.checked }, 'Saved')} /> Require verified identities (anonymous visitors cannot chat)</label>
          <button onClick={() => void api('POST', '/settings/widget/rotate').then(() => { setNotice('Secret rotated: update your servers'); return reload(); }, (err) => setError(errorText(err)))}>Rotate secret</button>
          <h2>Texts</h2>
          <form className="stack" onSubmit={(e) => { e.preventDefault(); const f = new FormData(e.currentTarget); void patch({ title: String(f.get('title')), greeting: String(f.get('greeting')) }, 'Saved'); }}>
            <label>Title <input name="title" defaultValue={data.title} /></label>
            <label>Greeting <textarea name="greeting" rows={2} defaultValue={data.greeting} /></label>
            <button className="primary" type="submit">Save</button>
          </form>
        </>
      )}
    </section>
  );
}
