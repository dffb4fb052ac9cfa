import { useState } from 'react';

/** Copies `text` to the clipboard and says so (falls back to selecting it when the clipboard is not allowed). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('Copied');
    } catch {
      setDone('Select the text and copy it (the browser refused the clipboard)');
    }
    setTimeout(() => setDone(''), 2500);
  };
  return (
    <>
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className="muted">
        {' '}
        {done}
      </span>
    </>
  );
}

/** A secret shown masked (its last 4 characters), with Reveal/Hide and Copy. */
export function SecretField({ value, label }: { value: string; label: string }) {
  const [shown, setShown] = useState(false);
  return (
    <span className="secret-field">
      <code role="note" aria-label={label} className="secret">
        {shown ? value : `${'•'.repeat(12)}${value.slice(-4)}`}
      </code>{' '}
      <button type="button" onClick={() => setShown(!shown)} aria-pressed={shown}>
        {shown ? 'Hide' : 'Reveal'}
      </button>{' '}
      <CopyButton text={value} />
    </span>
  );
}

/** An error (role alert) and a notice (role status) line. */
export function Status({ error, notice }: { error?: string; notice?: string }) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
    </>
  );
}
