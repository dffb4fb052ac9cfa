import { useState } from 'react';
import { PLAYBOOK_KINDS, PLAYBOOK_MODES } from '../../../../src/resolution/schemas.js';
import { Field, FieldError, FormIssues } from '../../lib/fields.js';
import { Status } from '../../lib/ui.js';
import type { Playbook, PlaybookInput } from '../../lib/types.js';
import { blankPlaybook, playbookDraftOf, playbookInputOf, type PlaybookDraft } from './playbook-draft.js';

const FIELDS = ['intent', 'kind', 'mode', 'threshold', 'template', 'skills', 'action'] as const;
const KIND_TEXT: Record<PlaybookDraft['kind'], string> = {
  answer: 'answer from the knowledge base',
  action: "call the workspace's backend, then reply",
  handoff: 'always hand to a person',
};
const MODE_TEXT: Record<PlaybookDraft['mode'], string> = {
  auto: 'the assistant sends',
  shadow: 'the assistant drafts, a person approves',
  off: 'not used',
};
const TEMPLATE_HINT: Record<PlaybookDraft['kind'], string> = {
  answer: 'Wraps the answer: must contain {{answer}}.',
  handoff: 'Optional: the acknowledgement the customer gets when a person takes over.',
  action: '',
};

interface Props {
  /** The intent to edit, with its playbook when it has one; an empty intent for a new custom intent. */
  intent: string;
  playbook: Playbook | null;
  intents: { id: string; label: string }[];
  /** Saves the playbook; throws the API's error (its field issues are shown beside the fields). */
  onSave: (intent: string, input: PlaybookInput) => Promise<void>;
}

/** A playbook as a form: what the assistant does for an intent (kind, mode, threshold, templates, action). */
export function PlaybookForm({ intent, playbook, intents, onSave }: Props) {
  const [draft, setDraft] = useState<PlaybookDraft>(() =>
    playbook ? playbookDraftOf(playbook) : blankPlaybook(intent),
  );
  const [issues, setIssues] = useState(FormIssues.none);
  const set = (patch: Partial<PlaybookDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const { input, issues: local } = playbookInputOf(draft);
    if (local.length) return setIssues(new FormIssues(local, ''));
    setIssues(FormIssues.none);
    try {
      await onSave(draft.intent.trim(), input);
    } catch (err) {
      setIssues(FormIssues.of(err));
    }
  };
  const template = (
    key: 'template' | 'successTemplate' | 'failureTemplate',
    path: string,
    label: string,
    hint: string,
    placeholder: string,
  ) => (
    <Field
      label={
        <>
          {label} <span className="muted small">{hint}</span>
        </>
      }
      path={path}
      issues={issues}
    >
      <textarea
        rows={3}
        value={draft[key]}
        placeholder={placeholder}
        onChange={(e) => set({ [key]: e.target.value })}
      />
    </Field>
  );
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Playbook" noValidate>
      <h2>{draft.intent ? `Playbook: ${draft.intent}` : 'New playbook'}</h2>
      <Status error={issues.summary(FIELDS)} />
      <Field label="Intent" path="intent" issues={issues}>
        <input
          value={draft.intent}
          onChange={(e) => set({ intent: e.target.value })}
          list="playbook-intents"
          readOnly={!!playbook}
        />
      </Field>
      <datalist id="playbook-intents">
        {intents.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </datalist>
      <Field label="Kind" path="kind" issues={issues}>
        <select value={draft.kind} onChange={(e) => set({ kind: e.target.value as PlaybookDraft['kind'] })}>
          {PLAYBOOK_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}: {KIND_TEXT[k]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Mode" path="mode" issues={issues}>
        <select value={draft.mode} onChange={(e) => set({ mode: e.target.value as PlaybookDraft['mode'] })}>
          {PLAYBOOK_MODES.map((m) => (
            <option key={m} value={m}>
              {m}: {MODE_TEXT[m]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Confidence threshold (0 to 1; empty: the workspace default)" path="threshold" issues={issues}>
        <input
          type="number"
          min={0}
          max={1}
          step={0.01}
          value={draft.threshold}
          onChange={(e) => set({ threshold: e.target.value })}
        />
      </Field>
      {draft.kind !== 'action' &&
        template(
          'template',
          'template',
          'Template',
          TEMPLATE_HINT[draft.kind],
          draft.kind === 'answer'
            ? 'Hi {{customer.firstName}}, {{answer}}'
            : 'Thanks, a person from our team will answer here.',
        )}
      {draft.kind === 'action' && (
        <fieldset className="field">
          <legend>Action</legend>
          <FieldError issues={issues} path="action" exact />
          <Field label="URL the request is POSTed to" path="action.url" issues={issues}>
            <input
              type="url"
              value={draft.url}
              placeholder="https://backend.example/refunds"
              onChange={(e) => set({ url: e.target.value })}
            />
          </Field>
          <Field label="Timeout (ms)" path="action.timeoutMs" issues={issues}>
            <input
              type="number"
              min={100}
              max={60000}
              value={draft.timeoutMs}
              onChange={(e) => set({ timeoutMs: e.target.value })}
            />
          </Field>
          <Field
            label={
              <>
                Request body{' '}
                <span className="muted small">JSON; strings may hold placeholders like {'{{customer.email}}'}</span>
              </>
            }
            path="action.input"
            issues={issues}
          >
            <textarea rows={3} className="mono" value={draft.input} onChange={(e) => set({ input: e.target.value })} />
          </Field>
          <Field
            label={
              <>
                Input schema{' '}
                <span className="muted small">the JSON Schema the body must satisfy before anything is sent</span>
              </>
            }
            path="action.inputSchema"
            issues={issues}
          >
            <textarea
              rows={3}
              className="mono"
              value={draft.inputSchema}
              onChange={(e) => set({ inputSchema: e.target.value })}
            />
          </Field>
          {template(
            'successTemplate',
            'action.successTemplate',
            'Reply when the call succeeds',
            'may use {{action.result.<path>}}',
            'Your refund of {{action.result.amount}} is on its way.',
          )}
          {template(
            'failureTemplate',
            'action.failureTemplate',
            'Reply when the call fails',
            '',
            'We could not do that right now; a person will follow up.',
          )}
        </fieldset>
      )}
      <Field label="Skills an agent should have (comma-separated)" path="skills" issues={issues}>
        <input value={draft.skills} onChange={(e) => set({ skills: e.target.value })} />
      </Field>
      <button className="primary" type="submit" disabled={!draft.intent.trim()}>
        Save playbook
      </button>
    </form>
  );
}
