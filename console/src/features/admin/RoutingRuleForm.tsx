import { useState } from 'react';
import { CHANNELS, PRIORITIES } from '../../../../src/domain/enums.js';
import { Field, FieldSet, FormIssues } from '../../lib/fields.js';
import { Status } from '../../lib/ui.js';
import type { RoutingRule, RoutingRuleInput, Team } from '../../lib/types.js';
import { blankRule, draftOf, inputOf, type EqualsKind, type RuleDraft } from './rule-draft.js';

const FIELDS = [
  'name',
  'enabled',
  'teamId',
  'requiredSkills',
  'preferAccountOwner',
  'conditions.intent',
  'conditions.tier',
  'conditions.language',
  'conditions.priority',
  'conditions.channel',
  'conditions.tag',
  'conditions.featureId',
  'conditions.pagePrefix',
  'conditions.accountAttribute',
] as const;

type TextKey = 'tier' | 'language' | 'tag' | 'featureId' | 'pagePrefix' | 'requiredSkills';

interface Props {
  /** The rule being edited; null for a new one. */
  rule: RoutingRule | null;
  teams: Team[];
  intents: { id: string; label: string }[];
  /** Saves the rule; throws the API's error (its field issues are shown beside the fields). */
  onSave: (input: RoutingRuleInput) => Promise<void>;
  onCancel: () => void;
}

/** A routing rule as a form: when it applies (conditions, all must hold) and where the ticket goes (targets). */
export function RoutingRuleForm({ rule, teams, intents, onSave, onCancel }: Props) {
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftOf(rule) : blankRule()));
  const [issues, setIssues] = useState(FormIssues.none);
  const set = (patch: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const toggle = <T extends string>(xs: T[], x: T, on: boolean) => (on ? [...xs, x] : xs.filter((y) => y !== x));
  const intentChoices = [
    ...intents,
    ...draft.intent.filter((i) => !intents.some((t) => t.id === i)).map((id) => ({ id, label: id })),
  ];
  const text = (key: TextKey, path: string, label: string, placeholder?: string) => (
    <Field label={label} path={path} issues={issues}>
      <input value={draft[key]} placeholder={placeholder} onChange={(e) => set({ [key]: e.target.value })} />
    </Field>
  );
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setIssues(FormIssues.none);
    try {
      await onSave(inputOf(draft));
      if (!rule) setDraft(blankRule());
    } catch (err) {
      setIssues(FormIssues.of(err));
    }
  };
  const title = rule ? `Edit rule: ${rule.name}` : 'New rule';
  return (
    <form className="stack rule-form" aria-label={title} onSubmit={(e) => void submit(e)} noValidate>
      <h2>{title}</h2>
      <Status error={issues.summary(FIELDS)} />
      <Field label="Name" path="name" issues={issues}>
        <input value={draft.name} onChange={(e) => set({ name: e.target.value })} />
      </Field>
      <label className="inline">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
      </label>

      <h3>When (every condition given must hold; leave all empty to match every ticket)</h3>
      <Field label="Intent is one of" path="conditions.intent" issues={issues}>
        <select
          multiple
          size={Math.min(8, Math.max(3, intentChoices.length))}
          value={draft.intent}
          onChange={(e) => set({ intent: [...e.target.selectedOptions].map((o) => o.value) })}
        >
          {intentChoices.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </Field>
      {text('tier', 'conditions.tier', 'Account tier is one of (comma-separated)', 'enterprise, pro')}
      {text('language', 'conditions.language', 'Language is one of (ISO codes, comma-separated)', 'de, fr')}
      <FieldSet legend="Priority is one of" path="conditions.priority" issues={issues}>
        {PRIORITIES.map((p) => (
          <label key={p} className="inline">
            <input
              type="checkbox"
              checked={draft.priority.includes(p)}
              onChange={(e) => set({ priority: toggle(draft.priority, p, e.target.checked) })}
            />{' '}
            {p}
          </label>
        ))}
      </FieldSet>
      <FieldSet legend="Channel is one of" path="conditions.channel" issues={issues}>
        {CHANNELS.map((c) => (
          <label key={c} className="inline">
            <input
              type="checkbox"
              checked={draft.channel.includes(c)}
              onChange={(e) => set({ channel: toggle(draft.channel, c, e.target.checked) })}
            />{' '}
            {c}
          </label>
        ))}
      </FieldSet>
      {text('tag', 'conditions.tag', 'Ticket has the tag')}
      {text('featureId', 'conditions.featureId', 'Page feature starts with', 'billing')}
      {text('pagePrefix', 'conditions.pagePrefix', 'Page path starts with', '/billing')}
      <FieldSet legend="Account attribute" path="conditions.accountAttribute" issues={issues}>
        <label className="inline">
          Attribute{' '}
          <input
            value={draft.attributeKey}
            placeholder="plan"
            onChange={(e) => set({ attributeKey: e.target.value })}
          />
        </label>
        <label className="inline">
          equals <input value={draft.attributeEquals} onChange={(e) => set({ attributeEquals: e.target.value })} />
        </label>
        <label className="inline">
          as
          <select value={draft.attributeKind} onChange={(e) => set({ attributeKind: e.target.value as EqualsKind })}>
            <option value="text">text</option>
            <option value="number">number</option>
            <option value="boolean">true / false</option>
          </select>
        </label>
      </FieldSet>

      <h3>Then</h3>
      <Field label="Team" path="teamId" issues={issues}>
        <select value={draft.teamId} onChange={(e) => set({ teamId: e.target.value })}>
          <option value="">default team</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      {text('requiredSkills', 'requiredSkills', 'Skills the agent needs (comma-separated)', 'billing, german')}
      <Field
        label="Assign the account's owner first when they can take it"
        path="preferAccountOwner"
        issues={issues}
        className="inline"
      >
        <input
          type="checkbox"
          checked={draft.preferAccountOwner}
          onChange={(e) => set({ preferAccountOwner: e.target.checked })}
        />
      </Field>
      <details>
        <summary>As JSON</summary>
        <pre>{JSON.stringify(inputOf(draft), null, 2)}</pre>
      </details>
      <div>
        <button className="primary" type="submit">
          {rule ? 'Save rule' : 'Add rule'}
        </button>{' '}
        {rule && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
