// The knowledge base's entries, by document (SPEC §7): each entry's question, the other ways of
// asking it, the phrasings it learned from customers' picks (removable) and its answer. An entry
// is edited here — the document itself never changes, so an edited one can be restored to it —
// and every change is retrained before the list is read again.
import { useState } from 'react';
import { del, get, patch } from '../api.js';
import { Card, ErrorBox, Field, useAction, useLoad } from '../ui.js';
import type { EntryJson as Entry } from '../../../../src/services/knowledge/entry-edits.js';
import type { TrainingResult } from '../../../../src/services/knowledge/training.js';

/** How much of an answer the list shows; the editor shows it all. */
const ANSWER_PREVIEW = 280;

type Changed = { entry: Entry; training: TrainingResult | null };

const entryPath = (orgId: string, entryId: string) => `/api/organizations/${orgId}/knowledge/entries/${encodeURIComponent(entryId)}`;

const preview = (text: string) => (text.length <= ANSWER_PREVIEW ? text : `${text.slice(0, ANSWER_PREVIEW - 1).trimEnd()}…`);

function EntryEditor({ entry, busy, onSave, onCancel }: { entry: Entry; busy: boolean; onSave: (patch: object) => void; onCancel: () => void }) {
  const [question, setQuestion] = useState(entry.question);
  const [phrasings, setPhrasings] = useState(entry.phrasings.join('\n'));
  const [answer, setAnswer] = useState(entry.answer);
  // Only what was changed is sent: the rest stays the document's (or the earlier edit's).
  const save = (event: React.FormEvent) => {
    event.preventDefault();
    const changed: { question?: string; phrasings?: string[]; answer?: string } = {};
    const lines = phrasings
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (question.trim() !== entry.question) changed.question = question;
    if (lines.join('\n') !== entry.phrasings.join('\n')) changed.phrasings = lines;
    if (answer.trim() !== entry.answer) changed.answer = answer;
    if (Object.keys(changed).length === 0) onCancel();
    else onSave(changed);
  };
  return (
    <form onSubmit={save} aria-label={`Edit “${entry.question || 'entry'}”`}>
      <Field label="Question">
        <input value={question} onChange={(e) => setQuestion(e.target.value)} required={entry.question !== ''} maxLength={300} />
      </Field>
      <Field label="Other ways of asking it (one per line)">
        <textarea value={phrasings} onChange={(e) => setPhrasings(e.target.value)} rows={3} />
      </Field>
      <Field label="Answer">
        <textarea value={answer} onChange={(e) => setAnswer(e.target.value)} rows={6} required />
      </Field>
      <div className="row">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="link" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function EntryItem({
  entry,
  busy,
  onEdit,
  onRestore,
  onForget,
}: {
  entry: Entry;
  busy: boolean;
  onEdit: () => void;
  onRestore: () => void;
  onForget: (phrasingId: string) => void;
}) {
  return (
    <>
      <p className="entry-question">
        {entry.question ? <strong>{entry.question}</strong> : <em className="muted">No question: found by its words</em>}{' '}
        {entry.edited && <span className="badge edited">edited</span>}
      </p>
      {entry.phrasings.length > 0 && <p className="muted">Also asked: {entry.phrasings.join(' · ')}</p>}
      {entry.learnedPhrasings.length > 0 && (
        <div className="learned" data-testid="learned-phrasings">
          <span className="muted">Learned from customers' picks:</span>
          {entry.learnedPhrasings.map((p) => (
            <span key={p.id} className="badge learned-phrasing">
              {p.phrasing}
              <button
                type="button"
                className="link"
                aria-label={`Forget “${p.phrasing}”`}
                title="Forget this phrasing"
                onClick={() => onForget(p.id)}
                disabled={busy}
              >
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <p className="pre entry-answer">{preview(entry.answer)}</p>
      <div className="row">
        <button type="button" className="small" onClick={onEdit} disabled={busy}>
          Edit
        </button>
        {entry.edited && (
          <button type="button" className="small link" onClick={onRestore} disabled={busy}>
            Restore the document's text
          </button>
        )}
      </div>
    </>
  );
}

/** Entries grouped by their document, in the order the documents were added. */
function byDocument(entries: Entry[]): { documentId: string; title: string; entries: Entry[] }[] {
  const groups = new Map<string, { documentId: string; title: string; entries: Entry[] }>();
  for (const entry of entries) {
    const group = groups.get(entry.documentId) ?? { documentId: entry.documentId, title: entry.documentTitle, entries: [] };
    group.entries.push(entry);
    groups.set(entry.documentId, group);
  }
  return [...groups.values()];
}

const matches = (entry: Entry, words: string) =>
  !words || [entry.question, entry.answer, ...entry.phrasings, ...entry.learnedPhrasings.map((p) => p.phrasing)].join('\n').toLowerCase().includes(words);

/** `version` reads the entries again (a document added, a training done); `onChanged` tells the page an entry changed. */
export function KnowledgeEntries({ orgId, version = 0, onChanged }: { orgId: string; version?: number; onChanged?: () => void }) {
  const entries = useLoad(() => get<{ entries: Entry[] }>(`/api/organizations/${orgId}/knowledge/entries`), [orgId, version]);
  const [editing, setEditing] = useState<string>();
  const [find, setFind] = useState('');
  const [note, setNote] = useState<string>();
  const action = useAction();
  const change = (what: string, request: () => Promise<Changed>) =>
    void action.run(async () => {
      const { training } = await request();
      setEditing(undefined);
      setNote(training ? `${what} Retrained: the next question is answered from it.` : `${what} Train to use it in answers.`);
      await entries.reload();
      onChanged?.();
    });
  const list = entries.data?.entries ?? [];
  const words = find.trim().toLowerCase();
  const groups = byDocument(list.filter((e) => matches(e, words)));
  return (
    <Card title="Entries">
      <p className="muted">What the bot answers from: each entry's question, other ways of asking it, and its answer.</p>
      {list.length > 0 && (
        <Field label="Find an entry">
          <input type="search" value={find} onChange={(e) => setFind(e.target.value)} placeholder="delivery, refund…" />
        </Field>
      )}
      {note && <p className="notice">{note}</p>}
      <ErrorBox error={entries.error ?? action.error} />
      {groups.map((group) => (
        <section key={group.documentId} className="entry-document" aria-label={group.title}>
          <h3>
            {group.title} <span className="muted">· {group.entries.length === 1 ? '1 entry' : `${group.entries.length} entries`}</span>
          </h3>
          <ul className="list">
            {group.entries.map((entry) => (
              <li key={entry.id} data-testid="entry" data-question={entry.question}>
                {editing === entry.id ? (
                  <EntryEditor
                    entry={entry}
                    busy={action.busy}
                    onCancel={() => setEditing(undefined)}
                    onSave={(body) => change('Saved.', () => patch<Changed>(entryPath(orgId, entry.id), body))}
                  />
                ) : (
                  <EntryItem
                    entry={entry}
                    busy={action.busy}
                    onEdit={() => setEditing(entry.id)}
                    onRestore={() => change("The document's text is back.", () => del<Changed>(`${entryPath(orgId, entry.id)}/edit`))}
                    onForget={(id) => change('Forgotten.', () => del<Changed>(`${entryPath(orgId, entry.id)}/learned/${encodeURIComponent(id)}`))}
                  />
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {entries.data && list.length === 0 && <p className="muted">No entries yet: add a document.</p>}
      {entries.data && list.length > 0 && groups.length === 0 && <p className="muted">No entry has these words.</p>}
    </Card>
  );
}
