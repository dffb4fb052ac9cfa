import { api, errorText } from '../../lib/api.js';
import type { Macro } from '../../lib/types.js';
import type { Reply } from './useReply.js';

interface Props {
  ticketId: string;
  reply: Reply;
  macros: Macro[];
  /** The reply the packet or the assistant's draft suggests, if any. */
  suggested: string | null;
  /** Approves the assistant's pending draft (edited when the reply has text); absent when there is none. */
  onApproveDraft?: () => void;
  onSend: () => void;
  onError: (message: string) => void;
}

/** The reply or internal-note form, with macros, the suggested reply and the draft's approval. */
export function ReplyBox({ ticketId, reply, macros, suggested, onApproveDraft, onSend, onError }: Props) {
  const insertMacro = async (macroId: string) => {
    if (!macroId) return;
    try {
      reply.setText(
        (await api<{ text: string }>('POST', `/tickets/${ticketId}/macros/${macroId}`, { send: false })).text,
      );
    } catch (err) {
      onError(errorText(err));
    }
  };
  return (
    <form
      className="reply"
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
    >
      <div className="reply-tools">
        <label>
          Macro
          <select value="" onChange={(e) => void insertMacro(e.target.value)}>
            <option value="">insert a macro…</option>
            {macros.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        {suggested && (
          <button
            type="button"
            onClick={() => {
              reply.setText(suggested);
              reply.focus();
            }}
          >
            Use suggested reply <kbd>u</kbd>
          </button>
        )}
        {onApproveDraft && (
          <button type="button" onClick={onApproveDraft}>
            Approve AI draft{reply.text.trim() ? ' (edited)' : ''}
          </button>
        )}
        <label className="check">
          <input type="checkbox" checked={reply.internal} onChange={(e) => reply.setInternal(e.target.checked)} />{' '}
          Internal note
        </label>
      </div>
      <label htmlFor="reply" className="sr-only">
        {reply.internal ? 'Internal note' : 'Reply to the customer'}
      </label>
      <textarea
        id="reply"
        ref={reply.ref}
        rows={5}
        value={reply.text}
        onChange={(e) => reply.setText(e.target.value)}
        placeholder={reply.internal ? 'Internal note (the customer never sees it)' : 'Reply to the customer… (r)'}
      />
      <button type="submit" className="primary" disabled={!reply.text.trim()}>
        {reply.internal ? 'Add note' : 'Send reply'} <kbd>Ctrl+Enter</kbd>
      </button>
    </form>
  );
}
