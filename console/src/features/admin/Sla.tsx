import { useEffect, useState } from 'react';
import { PRIORITIES } from '../../../../src/domain/enums.js';
import { api, errorText } from '../../lib/api.js';
import { rowKey } from '../../lib/keys.js';
import { useResource } from '../../lib/useResource.js';
import { Status } from '../../lib/ui.js';
import type { SlaPolicy, SlaSettings } from '../../lib/types.js';

/** SLA policies as a table (checked in order; the first matching tier and priority applies), and the workspace's
 * defaults. */
export function Sla() {
  const { data, error, reload, setError } = useResource<SlaSettings>('/sla/policies');
  const [form, setForm] = useState<SlaSettings | null>(null);
  const [notice, setNotice] = useState('');
  /** One React key per row of `form.policies`, in the same order (the policies themselves are sent as they are). */
  const [keys, setKeys] = useState<string[]>([]);
  useEffect(() => {
    if (data) {
      setForm(structuredClone(data));
      setKeys(data.policies.map(() => rowKey()));
    }
  }, [data]);
  if (!form)
    return (
      <section aria-labelledby="sla-title">
        <h1 id="sla-title">SLA policies</h1>
        <Status error={error} />
      </section>
    );
  const setPolicy = (i: number, patch: Partial<SlaPolicy>) =>
    setForm({ ...form, policies: form.policies.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const list = (text: string) =>
    text
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const minutes = (text: string) => Math.max(1, Math.round(Number(text) || 0));
  return (
    <section aria-labelledby="sla-title">
      <h1 id="sla-title">SLA policies</h1>
      <p className="muted">
        Checked in order: the first policy whose tiers and priorities match a ticket applies (empty matches any).
        Targets in minutes; business hours follow the calendar below.
      </p>
      <Status error={error} notice={notice} />
      <form
        className="stack wide"
        aria-label="SLA settings"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api('PATCH', '/sla/policies', {
              policies: form.policies,
              defaultTier: form.defaultTier,
              calendar: { timezone: form.calendar.timezone, alwaysOpen: form.calendar.alwaysOpen },
              atRisk: form.atRisk,
            });
            setNotice('SLA settings saved');
            await reload();
          } catch (err) {
            setError(errorText(err));
          }
        }}
      >
        <div className="scroll-x">
          <table className="sla-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Tiers</th>
                <th>Priorities</th>
                <th>First response (min)</th>
                <th>Resolution (min)</th>
                <th>Business hours</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {form.policies.map((p, i) => (
                <tr key={keys[i]}>
                  <td>
                    <input
                      aria-label={`Policy ${i + 1} name`}
                      value={p.name}
                      onChange={(e) => setPolicy(i, { name: e.target.value })}
                      required
                    />
                  </td>
                  <td>
                    <input
                      aria-label={`${p.name} tiers`}
                      value={p.tiers.join(', ')}
                      placeholder="any"
                      onChange={(e) => setPolicy(i, { tiers: list(e.target.value) })}
                    />
                  </td>
                  <td>
                    {PRIORITIES.map((pr) => (
                      <label key={pr} className="inline">
                        <input
                          type="checkbox"
                          checked={p.priorities.includes(pr)}
                          onChange={(e) =>
                            setPolicy(i, {
                              priorities: e.target.checked
                                ? [...p.priorities, pr]
                                : p.priorities.filter((x) => x !== pr),
                            })
                          }
                        />{' '}
                        {pr}
                      </label>
                    ))}
                  </td>
                  <td>
                    <input
                      type="number"
                      min={1}
                      aria-label={`${p.name} first response minutes`}
                      value={p.firstResponseMinutes}
                      onChange={(e) => setPolicy(i, { firstResponseMinutes: minutes(e.target.value) })}
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      min={1}
                      aria-label={`${p.name} resolution minutes`}
                      value={p.resolutionMinutes}
                      onChange={(e) => setPolicy(i, { resolutionMinutes: minutes(e.target.value) })}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${p.name} in business hours`}
                      checked={p.businessHours}
                      onChange={(e) => setPolicy(i, { businessHours: e.target.checked })}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      onClick={() => {
                        setForm({ ...form, policies: form.policies.filter((_, j) => j !== i) });
                        setKeys(keys.filter((_, j) => j !== i));
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button
          type="button"
          onClick={() => {
            setKeys([...keys, rowKey()]);
            setForm({
              ...form,
              policies: [
                ...form.policies,
                {
                  name: 'New policy',
                  tiers: [],
                  priorities: [],
                  firstResponseMinutes: 240,
                  resolutionMinutes: 1440,
                  businessHours: true,
                },
              ],
            });
          }}
        >
          Add policy
        </button>
        <label>
          Tier of customers without an account{' '}
          <input
            value={form.defaultTier}
            onChange={(e) => setForm({ ...form, defaultTier: e.target.value })}
            required
          />
        </label>
        <label>
          Calendar time zone{' '}
          <input
            value={form.calendar.timezone}
            onChange={(e) => setForm({ ...form, calendar: { ...form.calendar, timezone: e.target.value } })}
            required
          />
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={form.calendar.alwaysOpen}
            onChange={(e) => setForm({ ...form, calendar: { ...form.calendar, alwaysOpen: e.target.checked } })}
          />{' '}
          Open around the clock (business hours ignored)
        </label>
        <label>
          At risk within this share of a target{' '}
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={form.atRisk.fraction}
            onChange={(e) => setForm({ ...form, atRisk: { ...form.atRisk, fraction: Number(e.target.value) } })}
          />
        </label>
        <label>
          …or within these minutes{' '}
          <input
            type="number"
            min={0}
            value={form.atRisk.minutes}
            onChange={(e) =>
              setForm({ ...form, atRisk: { ...form.atRisk, minutes: Math.round(Number(e.target.value) || 0) } })
            }
          />
        </label>
        <p className="muted">
          Opening hours per weekday and holidays: <code>PATCH /api/v1/sla/policies</code> with{' '}
          <code>calendar.days</code> and <code>calendar.holidays</code>.
        </p>
        <button className="primary" type="submit">
          Save
        </button>
      </form>
    </section>
  );
}
