import { useRef, useState } from 'react';

/** The reply being written: its text, whether it is an internal note, and the textarea to focus. */
export function useReply() {
  const [text, setText] = useState('');
  const [internal, setInternal] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  return {
    text,
    setText,
    internal,
    setInternal,
    ref,
    /** Focuses the textarea, as a reply (false) or a note (true), or keeping the mode when not given. */
    focus: (asNote?: boolean) => {
      if (asNote !== undefined) setInternal(asNote);
      ref.current?.focus();
    },
  };
}
export type Reply = ReturnType<typeof useReply>;
