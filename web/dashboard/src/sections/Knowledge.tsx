// Knowledge base: add text or a file, train (in the background, its progress shown until done),
// accept or dismiss the answers agents gave to questions the bot was not sure of, and try a
// question the way a customer would ask it (with the choices it would be offered).
import { useEffect, useRef, useState } from 'react';
import { api, del, get, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useConfirm, useLoad } from '../ui.js';
import { KnowledgeEntries } from './KnowledgeEntries.js';
import type { Answer } from '../../../../src/services/knowledge/answers.js';
import type { SuggestionJson as Suggestion } from '../../../../src/services/knowledge/suggestions.js';
import type { KnowledgeDocumentJson as KnowledgeDocument, TrainingStatus } from '../../../../src/services/knowledge/training.js';

/** How often the suggested answers are looked at again: agents answer while the page is open. */
const SUGGESTIONS_POLL_MS = 15_000;
/** How often a running training's progress is asked for. */
const PROGRESS_MS = 500;

const finished = (t: TrainingStatus) => t.phase === 'done' || t.phase === 'failed';

function progressText(t: TrainingStatus): string {
  switch (t.phase) {
    case 'queued':
      return 'Training: waiting for the training before it to finish…';
    case 'chunking':
      return `Training: reading documents (${t.documentsDone} of ${t.documents})…`;
    case 'indexing':
      return `Training: indexing passages (${t.chunksDone} of ${t.chunks})…`;
    case 'meaning':
      return `Training: reading passages for their meaning (${t.chunksDone} of ${t.chunks})…`;
    default:
      return 'Training: storing the index…';
  }
}

/** A running training: what it is doing, and a bar of how far. */
/** Why the latest training failed, or matches by words alone although the encoder is on. */
function TrainingTrouble({ training }: { training: TrainingStatus }) {
  if (training.phase === 'failed') return <p className="error">Last training failed: {training.error ?? 'unknown reason'}</p>;
  if (training.meaningError) return <p className="notice">Last training: {training.meaningError}.</p>;
  return null;
}

function TrainingProgress({ training }: { training: TrainingStatus }) {
  const [done, total] = training.phase === 'chunking' ? [training.documentsDone, training.documents] : [training.chunksDone, training.chunks];
  return (
    <div className="notice" data-testid="training-progress">
      <p>{progressText(training)}</p>
      {total > 0 && <progress value={done} max={total} aria-label="Training progress" />}
    </div>
  );
}

export function Ask({ orgId, onAnswered }: { orgId: string; onAnswered?: (question: string, answer: Answer) => void }) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState<Answer & { notice?: string }>();
  const action = useAction();
  const askWith = (body: { question: string } | { choice: string }) =>
    void action.run(async () => {
      const answered = await post<Answer & { notice?: string }>(`/api/organizations/${orgId}/ask`, body);
      setAnswer(answered);
      onAnswered?.(question, answered);
    });
  const ask = (event: React.FormEvent) => {
    event.preventDefault();
    askWith({ question });
  };
  return (
    <Card title="Ask">
      <form className="row" onSubmit={ask}>
        <Field label="Question">
          <input value={question} onChange={(e) => setQuestion(e.target.value)} placeholder="How much is an e-bike for a day?" required />
        </Field>
        <button type="submit" disabled={action.busy}>
          Ask
        </button>
      </form>
      <ErrorBox error={action.error} />
      {answer && (
        <div className="answer" data-testid="answer">
          {answer.notice && <p className="notice">{answer.notice}</p>}
          <p className="pre">{answer.answer}</p>
          {answer.choices && (
            <fieldset className="row choices">
              <legend className="muted">The customer picks one:</legend>
              {answer.choices.map((choice, i) => (
                <button key={choice.id} type="button" className="small" onClick={() => askWith({ choice: choice.id })} disabled={action.busy}>
                  {i + 1}. {choice.title}
                </button>
              ))}
            </fieldset>
          )}
          <p className="muted">
            {KIND_TEXT[answer.kind]} · Confidence {Math.round(answer.confidence * 100)}% · Sources: {answer.sources.map((s) => s.title).join(', ') || 'none'}
            {answer.offerHuman ? ' · offers a person' : ''}
          </p>
        </div>
      )}
    </Card>
  );
}

const KIND_TEXT: Record<Answer['kind'], string> = {
  answer: 'Answered',
  choices: 'Choices offered (the customer picks one)',
  'not-sure': 'Not sure',
  'small-talk': 'Small talk',
};

/** One suggested answer: the customer's question and the agent's answer, editable before it is accepted. */
function SuggestionItem({
  suggestion,
  onAccept,
  onDismiss,
  busy,
}: {
  suggestion: Suggestion;
  onAccept: (answer: string) => void;
  onDismiss: () => void;
  busy: boolean;
}) {
  const [answer, setAnswer] = useState(suggestion.answer);
  return (
    <li data-testid="suggestion">
      <p>
        <strong>{suggestion.question}</strong> <span className="muted">· answered {when(suggestion.answeredAt)}</span>
      </p>
      {suggestion.wrongAnswer && <p className="muted">An agent marked the assistant's answer wrong: “{suggestion.wrongAnswer}”</p>}
      <Field label="Answer">
        <textarea value={answer} onChange={(e) => setAnswer(e.target.value)} rows={3} />
      </Field>
      <div className="row">
        <button type="button" onClick={() => onAccept(answer)} disabled={busy || !answer.trim()}>
          Accept into the knowledge base
        </button>
        <button type="button" className="danger small" onClick={onDismiss} disabled={busy}>
          Dismiss
        </button>
      </div>
    </li>
  );
}

/** Questions the bot was not sure of, as an agent answered them: accepted ones answer the next customer. */
function Suggestions({ orgId, onAccepted }: { orgId: string; onAccepted: () => Promise<void> }) {
  const suggestions = useLoad(() => get<{ suggestions: Suggestion[] }>(`/api/organizations/${orgId}/knowledge/suggestions`), [orgId], SUGGESTIONS_POLL_MS);
  const action = useAction();
  const [note, setNote] = useState<string>();
  const path = (id: string) => `/api/organizations/${orgId}/knowledge/suggestions/${id}`;
  const accept = (s: Suggestion, answer: string) =>
    void action.run(async () => {
      await post(`${path(s.id)}/accept`, { answer });
      setNote(`Added "${s.question}" to the knowledge base; it answers from now on.`);
      await Promise.all([suggestions.reload(), onAccepted()]);
    });
  const dismiss = (s: Suggestion) =>
    void action.run(async () => {
      await del(path(s.id));
      setNote(undefined);
      await suggestions.reload();
    });
  const list = suggestions.data?.suggestions ?? [];
  return (
    <Card title="Suggested answers">
      <p className="muted">When an agent answers a question the bot was not sure of, it shows here.</p>
      {note && <p className="notice">{note}</p>}
      <ErrorBox error={suggestions.error ?? action.error} />
      <ul className="list">
        {list.map((s) => (
          <SuggestionItem key={s.id} suggestion={s} busy={action.busy} onAccept={(answer) => accept(s, answer)} onDismiss={() => dismiss(s)} />
        ))}
        {suggestions.data && list.length === 0 && <li className="muted">No suggestions waiting.</li>}
      </ul>
    </Card>
  );
}

/** What GET …/knowledge answers: the documents, when the base was last trained (null: never) and whether it changed since. */
export interface KnowledgeList {
  documents: KnowledgeDocument[];
  trainedAt: string | null;
  /** documents added or removed (or entries edited) after the last training: answers still come from it */
  changedSinceTraining: boolean;
  /** the latest training in the server's process: why it failed, or why it has no sentence vectors */
  training: TrainingStatus | null;
}

export const knowledgeOf = (orgId: string) => get<KnowledgeList>(`/api/organizations/${orgId}/knowledge`);

/**
 * The documents with Train, and the card to add text or a file. `version` reads the list again
 * (a suggestion accepted elsewhere); `onChanged` tells the page a document or a training changed.
 */
export function KnowledgeDocuments({ orgId, version = 0, onChanged }: { orgId: string; version?: number; onChanged?: () => void }) {
  const docs = useLoad(() => knowledgeOf(orgId), [orgId, version]);
  const reload = async () => {
    await docs.reload();
    onChanged?.();
  };
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [note, setNote] = useState<string>();
  const action = useAction();
  const addText = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await post(`/api/organizations/${orgId}/knowledge`, { title, content });
      setTitle('');
      setContent('');
      setNote('Added. Train to use it in answers.');
      await reload();
    });
  };
  const upload = (file: File) =>
    action.run(async () => {
      const form = new FormData();
      form.append('file', file);
      await api('POST', `/api/organizations/${orgId}/knowledge`, form);
      setNote(`${file.name} uploaded. Train to use it in answers.`);
      await reload();
    });
  const [training, setTraining] = useState<TrainingStatus>();
  const trainAction = useAction();
  // The organization shown now: following a training stops when another one is opened.
  const shown = useRef(orgId);
  shown.current = orgId;
  const follow = async (orgId: string, started: TrainingStatus) => {
    let status = started;
    while (!finished(status) && shown.current === orgId) {
      setTraining(status);
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_MS));
      status = (await get<{ training: TrainingStatus }>(`/api/organizations/${orgId}/train/${status.id}`)).training;
    }
    setTraining(undefined);
    if (shown.current !== orgId) return;
    if (status.phase === 'failed') throw new Error(`Training failed: ${status.error ?? 'unknown reason'}.`);
    const result = status.result;
    if (result) {
      setNote(
        `Trained on ${result.documents} documents, ${result.chunks} passages; answers match by ${result.byMeaning ? 'meaning and words' : 'words only'}.`,
      );
    }
    await reload();
  };
  const train = () =>
    trainAction.run(async () => {
      setNote(undefined);
      const body = await post<{ training: TrainingStatus }>(`/api/organizations/${orgId}/train?wait=false`);
      await follow(orgId, body.training);
    });
  // A training started earlier (another tab, a deleted document) is shown until it is done.
  useEffect(() => {
    setTraining(undefined);
    void trainAction.run(async () => {
      const { training: latest } = await get<{ training: TrainingStatus | null }>(`/api/organizations/${orgId}/train`);
      if (latest && !finished(latest)) await follow(orgId, latest);
    });
  }, [orgId]);
  const confirm = useConfirm();
  // Asked once, naming the entries that leave the knowledge base; cancelling changes nothing.
  const remove = (doc: KnowledgeDocument) =>
    action.run(async () => {
      const path = `/api/organizations/${orgId}/knowledge/${doc.id}`;
      if (!(await confirm.ask({ title: `Delete '${doc.title}'?`, preview: `${path}/removal`, confirm: 'Delete' }))) return;
      const done = await del<{ summary: string }>(path);
      setNote(done.summary);
      await reload();
    });
  return (
    <>
      <Card
        title="Documents"
        actions={
          <button type="button" onClick={() => void train()} disabled={training !== undefined}>
            Train
          </button>
        }
      >
        {confirm.dialog}
        {docs.data && <p className="muted">Last trained: {docs.data.trainedAt ? when(docs.data.trainedAt) : 'never'}</p>}
        {docs.data?.changedSinceTraining && !training && (
          <p className="notice" data-testid="changed-since-training">
            Changed since last trained — train again. Answers come from the last training until then.
          </p>
        )}
        {docs.data && !docs.data.trainedAt && docs.data.documents.length > 0 && !training && (
          <p className="notice">Not trained yet — press Train: until then the bot cannot answer from these documents.</p>
        )}
        {!training && docs.data?.training && <TrainingTrouble training={docs.data.training} />}
        {training && <TrainingProgress training={training} />}
        {note && <p className="notice">{note}</p>}
        <ErrorBox error={docs.error ?? action.error ?? trainAction.error} />
        <ul className="list">
          {(docs.data?.documents ?? []).map((d) => (
            <li key={d.id}>
              {d.title}{' '}
              <span className="muted">
                {d.sourceType ?? ''} · {when(d.createdAt)}
              </span>{' '}
              <button type="button" className="danger small" onClick={() => void remove(d)}>
                Delete
              </button>
            </li>
          ))}
          {docs.data?.documents.length === 0 && <li className="muted">No documents yet.</li>}
        </ul>
      </Card>
      <Card title="Add">
        <form onSubmit={addText}>
          <Field label="Title">
            <input value={title} onChange={(e) => setTitle(e.target.value)} required />
          </Field>
          <Field label="Content">
            <textarea value={content} onChange={(e) => setContent(e.target.value)} rows={5} required />
          </Field>
          <button type="submit" disabled={action.busy}>
            Add text
          </button>
        </form>
        <Field label="Or upload a file (.txt, .md, .html, .pdf, .docx, or .csv with question/answer columns)">
          <input type="file" accept=".txt,.md,.html,.htm,.csv,.pdf,.docx" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
        </Field>
      </Card>
    </>
  );
}

export function Knowledge({ org }: SectionProps) {
  const [version, setVersion] = useState(0);
  // The entries are read again when a document or a training changed, or a suggestion became one.
  const [entriesVersion, setEntriesVersion] = useState(0);
  return (
    <>
      <KnowledgeDocuments orgId={org.id} version={version} onChanged={() => setEntriesVersion((v) => v + 1)} />
      <Suggestions
        orgId={org.id}
        onAccepted={async () => {
          setVersion((v) => v + 1);
          setEntriesVersion((v) => v + 1);
        }}
      />
      <KnowledgeEntries orgId={org.id} version={entriesVersion} />
      <Ask orgId={org.id} />
    </>
  );
}
