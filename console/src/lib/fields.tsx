import { cloneElement, type ReactElement, type ReactNode } from 'react';
import type { FieldIssue } from '../../../src/domain/errors.js';
import { ApiError, errorText } from './api.js';

/**
 * What a failed save says about a form: the server's field issues and a line for the form as a whole.
 * `messageFor("conditions.intent")` also owns the issues of its parts ("conditions.intent.0").
 */
export class FormIssues {
  static readonly none = new FormIssues([], '');

  constructor(
    readonly issues: FieldIssue[],
    readonly detail: string,
  ) {}

  /** The issues of an error from `api()`; any other error becomes the form's line. */
  static of(err: unknown): FormIssues {
    return err instanceof ApiError && err.issues.length
      ? new FormIssues(err.issues, err.message)
      : new FormIssues([], errorText(err));
  }

  /** The messages of the field at `path` and its parts (only its own with `exact`), or null. */
  messageFor(path: string, exact = false): string | null {
    const mine = this.issues.filter((i) => i.path === path || (!exact && i.path.startsWith(`${path}.`)));
    return mine.length ? [...new Set(mine.map((i) => i.message))].join('; ') : null;
  }

  /** The form's line: issues no field in `fields` shows, or a pointer to the marked fields. */
  summary(fields: readonly string[]): string {
    if (!this.issues.length) return this.detail;
    const rest = this.issues.filter((i) => !fields.some((f) => i.path === f || i.path.startsWith(`${f}.`)));
    if (!rest.length) return 'Not saved: correct the fields marked below.';
    return `Not saved: ${rest.map((i) => `${i.path || 'the form'}: ${i.message}`).join('; ')}`;
  }
}

const errorId = (path: string) => `field-error-${path.replace(/[^\w-]/g, '-')}`;

/** The message under a field, when the last save had one for it. */
export function FieldError({ issues, path, exact }: { issues: FormIssues; path: string; exact?: boolean }) {
  const message = issues.messageFor(path, exact);
  return message ? (
    <span id={errorId(path)} className="field-error">
      {message}
    </span>
  ) : null;
}

/**
 * A labelled control with the server's message for `path` beside it; the control is marked invalid and
 * described by the message.
 */
export function Field({
  label,
  path,
  issues,
  children,
  className,
}: {
  label: ReactNode;
  path: string;
  issues: FormIssues;
  children: ReactElement<{ 'aria-invalid'?: boolean; 'aria-describedby'?: string }>;
  className?: string;
}) {
  const invalid = issues.messageFor(path) !== null;
  return (
    <div className="field">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, rendered inside the label */}
      <label className={className}>
        {label}{' '}
        {invalid ? cloneElement(children, { 'aria-invalid': true, 'aria-describedby': errorId(path) }) : children}
      </label>
      <FieldError issues={issues} path={path} />
    </div>
  );
}

/** A group of checkboxes (or other controls) under one legend, with the server's message for `path`. */
export function FieldSet({
  legend,
  path,
  issues,
  children,
}: {
  legend: ReactNode;
  path: string;
  issues: FormIssues;
  children: ReactNode;
}) {
  const invalid = issues.messageFor(path) !== null;
  return (
    <fieldset
      className="field"
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? errorId(path) : undefined}
    >
      <legend>{legend}</legend>
      {children}
      <FieldError issues={issues} path={path} />
    </fieldset>
  );
}

/** "a, b ,c" → ["a", "b", "c"]. */
export const listOf = (text: string) =>
  text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
