// The inbox: conversations of the organization and one thread, refreshed by the organization's
// live events (polling only as a fallback); reply (as the organization) and close from here.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { followOrganization, get, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { ErrorBox, useAction, useLoad } from '../ui.js';
import type { ConversationJson as Conversation } from '../../../../src/services/conversations/conversations.js';
import type { MessageJson as Message } from '../../../../src/services/conversations/messages.js';

/** Live events refresh at once; polling is the fallback when the stream is down. */
const POLL_MS = 10_000;

const AUTHOR_LABEL: Record<string, string> = { contact: 'Customer', visitor: 'Visitor', bot: 'Bot', agent: 'Agent', system: 'Notice to the visitor' };

/** A photo as a picture (our copy, served by its unguessable id); other files by name. */
function InboxMedia({ media }: { media: NonNullable<Message['media']> }) {
  const href = media.fileUrl ?? (media.url && /^(https?:|\/)/.test(media.url) ? media.url : undefined);
  if (media.type === 'image' && href) return <img className="inbox-photo" src={href} alt={media.caption ?? media.filename ?? 'photo'} />;
  return (
    <p className="muted">
      [{media.type ?? 'file'}] {media.filename ?? media.caption ?? ''}
    </p>
  );
}

/** A message between an agent's WhatsApp and us: notifications, forwards, "taken by", replies. */
function AgentNotice({ m }: { m: Message }) {
  const who = m.agentName ? `${m.agentName} (${m.agentNumber})` : (m.agentNumber ?? '');
  const way = m.direction === 'out' ? `To agent ${who} on WhatsApp` : `From agent ${who} on WhatsApp`;
  return (
    <li className={`notice ${m.status === 'failed' ? 'failed' : ''}`} data-message={m.id}>
      <span className="who">{way}</span>
      {m.body && <p>{m.body}</p>}
      {m.media && <p className="muted">[{m.media.type ?? 'file'}]</p>}
      <MessageMeta m={m} />
    </li>
  );
}

function MessageMeta({ m }: { m: Message }) {
  return (
    <>
      <span className="meta">
        {when(m.createdAt)} · {m.status === 'failed' ? 'not delivered' : m.status}
      </span>
      {m.failure && (
        <p className="failure" role="note">
          <strong>Not delivered:</strong> {m.failure.reason} <em>{m.failure.action}</em>
        </p>
      )}
      {m.unanswered && (
        <p className="unanswered" role="note" data-testid="message-unanswered">
          {m.unanswered} — answer it here.
        </p>
      )}
    </>
  );
}

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
  const [showNotices, setShowNotices] = useState(true);
  const action = useAction();
  const list = useRef<HTMLOListElement>(null);
  const seen = useRef({ conversation: '', newest: 0 });
  const newest = messages.data?.at(-1)?.id ?? 0;
  // Opens at the newest message, and follows new ones unless the agent scrolled up to read.
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const box = list.current;
    if (!box || !messages.data) return;
    if (seen.current.conversation !== conversation.id || atBottom.current) box.scrollTop = box.scrollHeight;
  }, [messages.data, showNotices]);
  // What is on screen is read: the list's unread count goes back to 0.
  useEffect(() => {
    if (!messages.data || (seen.current.conversation === conversation.id && newest <= seen.current.newest)) return;
    seen.current = { conversation: conversation.id, newest };
    if (conversation.unread > 0 || newest > 0) void post(`/api/conversations/${conversation.id}/read`).then(onChanged, () => undefined);
  }, [newest, messages.data, conversation.id]);
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
  // The inbox's reply took the conversation from the bot; this gives it back without closing it.
  const handBack = () =>
    action.run(async () => {
      await post(`/api/conversations/${conversation.id}/hand-back`);
      onChanged();
      await messages.reload();
    });
  // Bot answers marked wrong here: what the mark did (a suggestion now, or once an agent answers).
  const [markedWrong, setMarkedWrong] = useState<Record<number, string>>({});
  const markWrong = (messageId: number) =>
    action.run(async () => {
      const marked = await post<{ message: string }>(`/api/conversations/${conversation.id}/messages/${messageId}/wrong`);
      setMarkedWrong((now) => ({ ...now, [messageId]: marked.message }));
    });
  const shown = (messages.data ?? []).filter((m) => showNotices || m.audience !== 'agent');
  return (
    <section className="thread" aria-label={`Conversation #${conversation.ref}`}>
      <header className="card-head">
        <h2>
          #{conversation.ref} {conversation.contactName ?? conversation.contactNumber ?? conversation.sessionId}
        </h2>
        <span className={`badge ${conversation.status}`}>{conversation.status}</span>
        {(conversation.status === 'agent' || conversation.status === 'waiting_agent') && (
          <button type="button" className="small" onClick={() => void handBack()}>
            Hand back to bot
          </button>
        )}
        {conversation.status !== 'closed' && (
          <button type="button" className="small" onClick={() => void close()}>
            Close
          </button>
        )}
      </header>
      <dl className="facts thread-facts">
        <dt>Assignee</dt>
        <dd data-testid="assignee">
          {conversation.agentNumber
            ? conversation.agentName
              ? `${conversation.agentName} (${conversation.agentNumber})`
              : conversation.agentNumber
            : conversation.status === 'waiting_agent'
              ? 'waiting for an agent'
              : 'nobody'}
        </dd>
        {conversation.waiting && conversation.waiting.agents.length > 0 && (
          <>
            <dt>Agents</dt>
            <dd>
              <ul className="agent-outcomes" data-testid="agent-outcomes">
                {conversation.waiting.agents.map((a) => (
                  <li key={a.number}>
                    {a.name ?? a.number}: {a.reached ? `notified (${a.path.replace('_', '-')}${a.sender ? ` from ${a.sender}` : ''})` : a.reason}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {conversation.assignedWhatsappNumber && (
          <>
            <dt>Carried on</dt>
            <dd>{conversation.assignedWhatsappNumber}</dd>
          </>
        )}
        {conversation.contactEmail && (
          <>
            <dt>Email</dt>
            <dd data-testid="contact-email">
              <a href={`mailto:${conversation.contactEmail}`}>{conversation.contactEmail}</a>
            </dd>
          </>
        )}
      </dl>
      <label className="check">
        <input type="checkbox" checked={showNotices} onChange={(e) => setShowNotices(e.target.checked)} />
        Show what went to and from the agents’ WhatsApp
      </label>
      <ErrorBox error={messages.error} />
      <ol
        className="messages"
        ref={list}
        onScroll={(e) => {
          const box = e.currentTarget;
          atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
        }}
      >
        {shown.map((m) =>
          m.audience === 'agent' ? (
            <AgentNotice key={m.id} m={m} />
          ) : (
            <li key={m.id} className={`msg ${m.direction} ${m.author} ${m.status === 'failed' ? 'failed' : ''}`} data-message={m.id}>
              <span className="who">
                {AUTHOR_LABEL[m.author] ?? m.author}
                {m.author === 'agent' && m.agentName ? ` ${m.agentName}` : ''}
              </span>
              {m.body && <p>{m.body}</p>}
              {m.media && <InboxMedia media={m.media} />}
              <MessageMeta m={m} />
              {m.author === 'bot' &&
                m.body &&
                (markedWrong[m.id] || m.markedWrong ? (
                  <p className="muted marked-wrong">{markedWrong[m.id] ?? 'Marked wrong: the question is in the knowledge base’s suggestions.'}</p>
                ) : (
                  <button
                    type="button"
                    className="small"
                    title="The bot's answer was wrong: suggest the question with the agent's answer for the knowledge base"
                    onClick={() => void markWrong(m.id)}
                    disabled={action.busy}
                  >
                    Wrong answer
                  </button>
                ))}
            </li>
          ),
        )}
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
                <span className="conversation-title">
                  <strong>#{c.ref}</strong> {c.contactName ?? c.contactNumber ?? c.sessionId}
                  {c.unread > 0 && c.id !== chosenId && (
                    <span className="unread" title={`${c.unread} unread`}>
                      {c.unread}
                    </span>
                  )}
                </span>
                <span className={`badge ${c.status}`}>{c.status}</span>
                {c.unanswered > 0 && (
                  <span className="badge unanswered" title="The bot did not answer: the monthly limit was reached" data-testid="conversation-unanswered">
                    {c.unanswered} not answered
                  </span>
                )}
                <span className="muted">
                  {c.channel} · {when(c.lastMessageAt)}
                  {c.agentNumber && ` · ${c.agentName ?? c.agentNumber}`}
                  {c.contactEmail && ` · ${c.contactEmail}`}
                </span>
                {c.waiting && !c.waiting.agentReached && (
                  <span className="muted waiting-note" data-testid="no-agent-reached">
                    {c.assignedWhatsappNumber ? 'no agent reached yet' : 'in line for a free agent'}
                  </span>
                )}
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
