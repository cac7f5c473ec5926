// The inbox: conversations of the organization and one thread, refreshed by the organization's
// live events (polling only as a fallback); reply (as the organization) and close from here.
import { useEffect, useState } from 'react';
import { followOrganization, get, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { ErrorBox, useAction, useLoad } from '../ui.js';
import type { ConversationJson as Conversation } from '../../../../src/services/conversations/conversations.js';
import type { MessageJson as Message } from '../../../../src/services/conversations/messages.js';

/** Live events refresh at once; polling is the fallback when the stream is down. */
const POLL_MS = 10_000;

function Thread({ conversation, onChanged, version }: { conversation: Conversation; onChanged: () => void; version: number }) {
  const messages = useLoad(
    () => get<{ messages: Message[] }>(`/api/conversations/${conversation.id}/messages`).then((b) => b.messages),
    [conversation.id],
    POLL_MS,
  );
  useEffect(() => {
    if (version > 0) void messages.reload();
  }, [version]);
  const [text, setText] = useState('');
  const action = useAction();
  const send = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await post(`/api/conversations/${conversation.id}/messages`, { text });
      setText('');
      await messages.reload();
    });
  };
  const close = () =>
    action.run(async () => {
      await post(`/api/conversations/${conversation.id}/close`);
      onChanged();
    });
  return (
    <section className="thread" aria-label={`Conversation #${conversation.ref}`}>
      <header className="card-head">
        <h2>
          #{conversation.ref} {conversation.contactName ?? conversation.contactNumber ?? conversation.sessionId}
        </h2>
        <span className={`badge ${conversation.status}`}>{conversation.status}</span>
        {conversation.status !== 'closed' && (
          <button type="button" className="small" onClick={() => void close()}>
            Close
          </button>
        )}
      </header>
      <ErrorBox error={messages.error} />
      <ol className="messages">
        {(messages.data ?? []).map((m) => (
          <li key={m.id} className={`msg ${m.direction} ${m.author}`}>
            <span className="who">{m.author}</span>
            {m.body && <p>{m.body}</p>}
            {m.media && (
              <p className="muted">
                [{m.media.type ?? 'file'}] {m.media.caption ?? ''}
              </p>
            )}
            <span className="meta">
              {when(m.createdAt)} · {m.status}
              {m.sendError && <span className="bad"> · {m.sendError}</span>}
            </span>
          </li>
        ))}
      </ol>
      {conversation.status !== 'closed' && (
        <form className="composer" onSubmit={send}>
          <input
            aria-label="Reply"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={conversation.channel === 'widget' ? 'Reply to the visitor' : 'Reply as the organization'}
            required
          />
          <button type="submit" disabled={action.busy}>
            Send
          </button>
        </form>
      )}
      <ErrorBox error={action.error} />
    </section>
  );
}

export function Conversations({ org }: SectionProps) {
  const [status, setStatus] = useState('');
  const [channel, setChannel] = useState('');
  const [chosenId, setChosenId] = useState<string>();
  const query = new URLSearchParams({ ...(status ? { status } : {}), ...(channel ? { channel } : {}) });
  const list = useLoad(
    () => get<{ conversations: Conversation[] }>(`/api/organizations/${org.id}/conversations?${query}`).then((b) => b.conversations),
    [org.id, status, channel],
    POLL_MS,
  );
  const chosen = list.data?.find((c) => c.id === chosenId);
  // each live event bumps the version: the list and the open thread read again
  const [version, setVersion] = useState(0);
  useEffect(() => followOrganization(org.id, () => setVersion((v) => v + 1)), [org.id]);
  useEffect(() => {
    if (version > 0) void list.reload();
  }, [version]);
  return (
    <div className={`inbox ${chosen ? 'has-thread' : ''}`}>
      <section className="card conversation-list">
        <header className="card-head">
          <h2>Conversations</h2>
          <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any status</option>
            {['bot', 'waiting_agent', 'agent', 'closed'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <select aria-label="Channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">any channel</option>
            <option>whatsapp</option>
            <option>widget</option>
          </select>
        </header>
        <ErrorBox error={list.error} />
        <ul className="list conversations">
          {(list.data ?? []).map((c) => (
            <li key={c.id}>
              <button type="button" className={`conversation ${c.id === chosenId ? 'active' : ''}`} onClick={() => setChosenId(c.id)}>
                <strong>#{c.ref}</strong> {c.contactName ?? c.contactNumber ?? c.sessionId}
                <span className={`badge ${c.status}`}>{c.status}</span>
                <span className="muted">
                  {c.channel} · {when(c.lastMessageAt)}
                </span>
              </button>
            </li>
          ))}
          {list.data?.length === 0 && <li className="muted">No conversations yet.</li>}
        </ul>
      </section>
      {chosen && (
        <div className="card">
          <button type="button" className="link back" onClick={() => setChosenId(undefined)}>
            ← All conversations
          </button>
          <Thread conversation={chosen} version={version} onChanged={() => void list.reload()} />
        </div>
      )}
    </div>
  );
}
