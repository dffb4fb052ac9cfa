import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useResource } from '../../lib/useResource.js';
import { Status } from '../../lib/ui.js';
import type { Autonomy, Thresholds } from '../../lib/types.js';
import { useIntentLabels } from '../../lib/labels.js';

export function AutonomyScreen() {
  const label = useIntentLabels();
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
  const ev = (e: Record<string, unknown>) => {
    const n = Number(e.n ?? 0);
    const ok = Number(e.successes ?? 0);
    const lower = typeof e.wilsonLower === 'number' ? e.wilsonLower : null;
    const bound = lower !== null ? ` (at least ${Math.round(lower * 100)}% with 95% confidence)` : '';
    return n ? `${ok} of ${n} answers held${bound}` : 'no answers yet';
  };
  return (
    <section aria-labelledby="au-title">
      <h1 id="au-title">Autonomy & shadow mode</h1>
      <Status error={autonomy.error || thresholds.error} notice={notice} />
      {a && (
        <>
          <label className="check big">
            <input
              type="checkbox"
              checked={!!a.shadowMode}
              onChange={(e) =>
                void patch(
                  { shadowMode: e.target.checked },
                  e.target.checked ? 'Shadow mode on: the assistant drafts, people send' : 'Shadow mode off',
                )
              }
            />
            Shadow mode — the assistant only drafts; a person approves every reply
          </label>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              const v = Number(new FormData(e.currentTarget).get('def'));
              void patch({ defaultThreshold: v }, 'Default threshold saved');
            }}
          >
            <label>
              Default confidence threshold{' '}
              <input name="def" type="number" min={0} max={1} step={0.01} defaultValue={a.defaultThreshold} />
            </label>
            <button type="submit">Save</button>
          </form>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (intent) void patch({ intentThresholds: { [intent]: Number(value) } }, `Threshold of ${intent} saved`);
            }}
          >
            <label>
              Intent <input value={intent} onChange={(e) => setIntent(e.target.value)} />
            </label>
            <label>
              Threshold{' '}
              <input
                type="number"
                min={0}
                max={1}
                step={0.01}
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            </label>
            <button type="submit">Set</button>
          </form>
        </>
      )}
      <h2>Per-intent thresholds and their evidence</h2>
      <table>
        <thead>
          <tr>
            <th>Intent</th>
            <th>In force</th>
            <th>Proposed</th>
            <th>Why</th>
            <th>Evidence at current</th>
            <th>Evidence at proposed</th>
          </tr>
        </thead>
        <tbody>
          {thresholds.data?.proposals.map((p) => (
            <tr key={p.intent}>
              <td>{p.intent === '*' ? 'Default (all intents)' : label(p.intent)}</td>
              <td>{p.current}</td>
              <td>
                {p.proposed} ({p.action.replace(/_/g, ' ')})
              </td>
              <td>{p.reason.replace(/_/g, ' ')}</td>
              <td className="small">{ev(p.atCurrent)}</td>
              <td className="small">{ev(p.atProposed)}</td>
            </tr>
          ))}
          {thresholds.data &&
            Object.entries(thresholds.data.current)
              .filter(([i]) => !thresholds.data!.proposals.some((p) => p.intent === i))
              .map(([i, v]) => (
                <tr key={i}>
                  <td>{i === '*' ? 'Default (all intents)' : label(i)}</td>
                  <td>{v}</td>
                  <td colSpan={4} className="muted">
                    no evidence yet
                  </td>
                </tr>
              ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() =>
          void api('POST', '/learning/thresholds/tune').then(
            () => {
              setNotice('Tuned');
              return thresholds.reload();
            },
            (err) => thresholds.setError(errorText(err)),
          )
        }
      >
        Tune now
      </button>
    </section>
  );
}
