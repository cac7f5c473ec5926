// One simulated phone: its chat list, an open chat, a composer, and swipe-reply (the ↩ button
// quotes a message; the reply carries that message's provider id, as WhatsApp's context does).
import { useEffect, useRef, useState } from 'react';
import { formatWhatsappText } from '../../../../src/core/whatsapp-format.js';
import { ErrorBox, useAction } from '../ui.js';
import { type BusinessNumber, simulatorCall } from './api.js';
import type { PhoneMessage, PhoneThread, SimulatorPhone as StoredPhone } from '../../../../src/services/platform/simulator.js';

/** A simulated phone as GET /api/simulator answers it: the phone and its threads. */
export type SimulatorPhone = StoredPhone & { threads: PhoneThread[] };

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The simulator's webhook body stays under the server's 1 MB limit with a file of this size. */
const MAX_ATTACHMENT_BYTES = 700 * 1024;

/** Text as WhatsApp draws it: *bold*, _italic_, ~strike~, ```mono```. */
export function WhatsappText({ text }: { text: string }) {
  return (
    <p>
      {formatWhatsappText(text).map((run, i) => {
        let node: React.ReactNode = run.text;
        if (run.mono) node = <code>{node}</code>;
        if (run.strike) node = <s>{node}</s>;
        if (run.italic) node = <em>{node}</em>;
        if (run.bold) node = <strong>{node}</strong>;
        // biome-ignore lint/suspicious/noArrayIndexKey: runs of one text never move
        return <span key={i}>{node}</span>;
      })}
    </p>
  );
}

/** A photo as a picture; any other file as its name, to open. */
function Attachment({ media }: { media: NonNullable<PhoneMessage['media']> }) {
  const href = media.fileUrl ?? media.url;
  const safe = href && (/^https?:\/\//.test(href) || href.startsWith('/') || /^data:image\//.test(href));
  if (media.type === 'image' && safe) {
    return <img className="photo" src={href} alt={media.caption ?? media.filename ?? 'photo'} />;
  }
  const label = `[${media.type ?? 'file'}] ${media.filename ?? media.caption ?? ''}`;
  return safe && media.type !== 'location' ? (
    <a className="file" href={href} target="_blank" rel="noreferrer">
      {label}
    </a>
  ) : (
    <p className="sub">{label}</p>
  );
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error(`${file.name} could not be read.`));
    reader.readAsDataURL(file);
  });
}

export function Phone({
  phone,
  businessNumbers,
  onSent,
  typingFrom,
}: {
  phone: SimulatorPhone;
  businessNumbers: BusinessNumber[];
  onSent: () => void;
  /** the business number writing to this phone now, if any */
  typingFrom?: string;
}) {
  const [open, setOpen] = useState<string>();
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<PhoneMessage>();
  const action = useAction();
  const bottom = useRef<HTMLLIElement>(null);
  const thread = phone.threads.find((t) => t.number === open);
  const messages = thread?.messages ?? [];
  const nameOf = (number: string) => businessNumbers.find((b) => b.number === number)?.displayName ?? number;
  useEffect(() => {
    // newer Chromium returns a promise here; an effect must return nothing
    void bottom.current?.scrollIntoView({ block: 'nearest' });
  }, [messages.length, open]);

  const send = (event: React.FormEvent) => {
    event.preventDefault();
    if (!open) return;
    void action.run(async () => {
      await simulatorCall('POST', '/api/simulator/messages', { from: phone.number, to: open, text, replyTo: replyTo?.providerMessageId ?? undefined });
      setText('');
      setReplyTo(undefined);
      onSent();
    });
  };
  const attach = (event: React.ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file || !open) return;
    void action.run(async () => {
      if (file.size > MAX_ATTACHMENT_BYTES) throw new Error(`${file.name} is larger than the simulator's 700 KB for a file.`);
      const url = await readAsDataUrl(file);
      await simulatorCall('POST', '/api/simulator/messages', {
        from: phone.number,
        to: open,
        text: text.trim() || undefined,
        media: { url, mimeType: file.type || undefined, filename: file.name },
        replyTo: replyTo?.providerMessageId ?? undefined,
      });
      setText('');
      setReplyTo(undefined);
      onSent();
    });
  };
  const quoted = (id: string | null) => (id ? messages.find((m) => m.providerMessageId === id) : undefined);

  return (
    <section className={`phone ${phone.kind}`} aria-label={`Phone ${phone.name}`} data-number={phone.number}>
      <header className="phone-head">
        {open ? (
          <button type="button" className="back" aria-label="Back to chats" onClick={() => setOpen(undefined)}>
            ←
          </button>
        ) : null}
        <div>
          <strong>{open ? nameOf(open) : phone.name}</strong>
          <span className="sub">{open ? open : `${phone.number} · ${phone.kind}`}</span>
        </div>
      </header>
      {!open && (
        <div className="chats">
          <ul>
            {phone.threads.map((t) => {
              const last = t.messages[t.messages.length - 1];
              return (
                <li key={t.number}>
                  <button type="button" onClick={() => setOpen(t.number)}>
                    <strong>{t.displayName ?? t.number}</strong>
                    <span className="sub">{last?.text ?? ''}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          <label className="new-chat">
            <span>New chat with</span>
            <select aria-label="New chat with" value="" onChange={(e) => e.target.value && setOpen(e.target.value)}>
              <option value="">choose a business number…</option>
              {businessNumbers.map((b) => (
                <option key={b.number} value={b.number}>
                  {b.displayName ?? b.number} ({b.number})
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {open && (
        <>
          <ol className="bubbles">
            {messages.map((m) => {
              const original = quoted(m.replyTo);
              return (
                <li
                  key={m.id}
                  className={`${m.mine ? 'mine' : 'theirs'} ${m.failure ? 'failed' : ''}`}
                  data-provider-id={m.providerMessageId ?? ''}
                  data-status={m.status}
                >
                  {original && <blockquote>{original.text}</blockquote>}
                  {m.media && <Attachment media={m.media} />}
                  {m.text && <WhatsappText text={m.text} />}
                  {m.failure ? (
                    <p className="not-delivered" role="note">
                      ⚠ Never reached this phone: {m.failure.reason}
                    </p>
                  ) : null}
                  <span className="time">
                    {time(m.createdAt)}
                    {m.mine && m.status !== 'received' ? ` · ${m.status}` : ''}
                    {!m.mine && (m.status === 'failed' ? ' · failed' : m.status === 'queued' ? ' · sending…' : '')}
                  </span>
                  {m.providerMessageId && (
                    <button type="button" className="reply" aria-label="Reply to this message" title="Reply" onClick={() => setReplyTo(m)}>
                      ↩
                    </button>
                  )}
                </li>
              );
            })}
            {typingFrom === open && (
              <li className="theirs typing" data-testid="typing">
                typing…
              </li>
            )}
            <li ref={bottom} className="end" aria-hidden="true" />
          </ol>
          <form className="compose" onSubmit={send}>
            {replyTo && (
              <div className="replying">
                <span>Replying to: {replyTo.text}</span>
                <button type="button" aria-label="Cancel reply" onClick={() => setReplyTo(undefined)}>
                  ×
                </button>
              </div>
            )}
            <div className="compose-row">
              <label className="attach" title="Attach a file">
                📎
                <input type="file" aria-label="Attach a file" onChange={attach} disabled={action.busy} />
              </label>
              <input aria-label="Message" value={text} onChange={(e) => setText(e.target.value)} placeholder="Message" required />
              <button type="submit" disabled={action.busy}>
                Send
              </button>
            </div>
          </form>
        </>
      )}
      <ErrorBox error={action.error} />
    </section>
  );
}
