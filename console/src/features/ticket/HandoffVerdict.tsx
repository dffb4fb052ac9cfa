import { useState } from 'react';
import { PACKET_FIELD_LABELS, PACKET_FIELDS, type PacketField } from '../../../../src/handoff/fields.js';
import { api, errorText } from '../../lib/api.js';
import type { HandoffPacket, Me } from '../../lib/types.js';

type Verdict = HandoffPacket['verdicts'][number];

/**
 * The agent's one-click verdict on the handoff packet: "Had what I needed", or "Missing…" with the fields that
 * were missing. The choice shows at once; the server's answer follows (and an error puts the earlier one back).
 */
export function HandoffVerdict({ ticketId, packet, me }: { ticketId: string; packet: HandoffPacket; me: Me }) {
  const myId = me.agent?.id ?? null;
  const stored = packet.verdicts.find((v) => v.by.type === 'agent' && v.by.id === myId) ?? null;
  // The choice just made, shown until the packet loads again with it (or taken back on an error).
  const [chosen, setChosen] = useState<Verdict | null>(null);
  const mine = chosen ?? stored;
  const [picking, setPicking] = useState(false);
  const [missing, setMissing] = useState<PacketField[]>([]);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');

  const send = async (body: { verdict: Verdict['verdict']; missing?: PacketField[]; note?: string }) => {
    const before = chosen;
    setError('');
    setPicking(false);
    setChosen({
      ticketId,
      verdict: body.verdict,
      missing: body.missing ?? [],
      note: body.note ?? null,
      by: { type: 'agent', id: myId ?? '' },
      at: new Date().toISOString(),
    });
    try {
      setChosen(await api<Verdict>('POST', `/tickets/${ticketId}/handoff-verdict`, body));
    } catch (err) {
      setChosen(before);
      setError(errorText(err));
    }
  };
  const toggle = (f: PacketField) => setMissing((m) => (m.includes(f) ? m.filter((x) => x !== f) : [...m, f]));
  const others = packet.verdicts.filter((v) => !(v.by.type === 'agent' && v.by.id === myId));

  return (
    <fieldset className="handoff-verdict">
      <legend>Did this packet have what you needed?</legend>
      <p>
        <button
          type="button"
          aria-pressed={mine?.verdict === 'had_what_i_needed'}
          onClick={() => void send({ verdict: 'had_what_i_needed' })}
        >
          Had what I needed
        </button>{' '}
        <button
          type="button"
          aria-pressed={mine?.verdict === 'missing'}
          aria-expanded={picking}
          onClick={() => {
            setMissing(mine?.verdict === 'missing' ? mine.missing : []);
            setPicking((p) => !p);
          }}
        >
          Missing…
        </button>
      </p>
      {picking && (
        <form
          className="missing-fields"
          onSubmit={(e) => {
            e.preventDefault();
            if (missing.length) void send({ verdict: 'missing', missing, ...(note.trim() ? { note } : {}) });
          }}
        >
          {PACKET_FIELDS.map((f) => (
            <label key={f}>
              <input type="checkbox" checked={missing.includes(f)} onChange={() => toggle(f)} />{' '}
              {PACKET_FIELD_LABELS[f]}
            </label>
          ))}
          <input
            type="text"
            maxLength={500}
            placeholder="A short note (optional)"
            aria-label="Note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <button type="submit" disabled={!missing.length}>
            Send
          </button>
        </form>
      )}
      {mine && (
        <p role="status" className="muted">
          You said:{' '}
          {mine.verdict === 'had_what_i_needed'
            ? 'it had what you needed'
            : `missing ${mine.missing.map((f) => PACKET_FIELD_LABELS[f].toLowerCase()).join(', ')}`}
          {mine.note ? ` ("${mine.note}")` : ''}
        </p>
      )}
      {others.length > 0 && (
        <p className="muted">
          {others.filter((v) => v.verdict === 'had_what_i_needed').length} other(s) had what they needed,{' '}
          {others.filter((v) => v.verdict === 'missing').length} found something missing
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
