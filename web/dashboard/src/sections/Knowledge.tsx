// Knowledge base: add text or a file, train (in the background, its progress shown until done),
// and try a question the way a customer would ask it.
import { useEffect, useRef, useState } from 'react';
import { api, del, get, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useLoad } from '../ui.js';
import type { Answer } from '../../../../src/services/knowledge/answers.js';
import type { KnowledgeDocumentJson as KnowledgeDocument, TrainingStatus } from '../../../../src/services/knowledge/training.js';

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
function TrainingProgress({ training }: { training: TrainingStatus }) {
  const [done, total] = training.phase === 'chunking' ? [training.documentsDone, training.documents] : [training.chunksDone, training.chunks];
  return (
    <div className="notice" data-testid="training-progress">
      <p>{progressText(training)}</p>
      {total > 0 && <progress value={done} max={total} aria-label="Training progress" />}
    </div>
  );
}

function Ask({ orgId }: { orgId: string }) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState<Answer>();
  const action = useAction();
  const ask = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => setAnswer(await post<Answer>(`/api/organizations/${orgId}/ask`, { question })));
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
          <p>{answer.answer}</p>
          <p className="muted">
            Confidence {Math.round(answer.confidence * 100)}% · Sources: {answer.sources.map((s) => s.title).join(', ') || 'none'}
          </p>
        </div>
      )}
    </Card>
  );
}

export function Knowledge({ org }: SectionProps) {
  const docs = useLoad(() => get<{ documents: KnowledgeDocument[]; trainedAt?: string | null }>(`/api/organizations/${org.id}/knowledge`), [org.id]);
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [note, setNote] = useState<string>();
  const action = useAction();
  const addText = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await post(`/api/organizations/${org.id}/knowledge`, { title, content });
      setTitle('');
      setContent('');
      setNote('Added. Train to use it in answers.');
      await docs.reload();
    });
  };
  const upload = (file: File) =>
    action.run(async () => {
      const form = new FormData();
      form.append('file', file);
      await api('POST', `/api/organizations/${org.id}/knowledge`, form);
      setNote(`${file.name} uploaded. Train to use it in answers.`);
      await docs.reload();
    });
  const [training, setTraining] = useState<TrainingStatus>();
  const trainAction = useAction();
  // The organization shown now: following a training stops when another one is opened.
  const shown = useRef(org.id);
  shown.current = org.id;
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
    await docs.reload();
  };
  const train = () =>
    trainAction.run(async () => {
      setNote(undefined);
      const body = await post<{ training: TrainingStatus }>(`/api/organizations/${org.id}/train?wait=false`);
      await follow(org.id, body.training);
    });
  // A training started earlier (another tab, a deleted document) is shown until it is done.
  useEffect(() => {
    setTraining(undefined);
    void trainAction.run(async () => {
      const { training: latest } = await get<{ training: TrainingStatus | null }>(`/api/organizations/${org.id}/train`);
      if (latest && !finished(latest)) await follow(org.id, latest);
    });
  }, [org.id]);
  const remove = (id: string) =>
    action.run(async () => {
      await del(`/api/organizations/${org.id}/knowledge/${id}`);
      await docs.reload();
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
        {docs.data?.trainedAt !== undefined && <p className="muted">Last trained: {when(docs.data.trainedAt)}</p>}
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
              <button type="button" className="danger small" onClick={() => void remove(d.id)}>
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
        <Field label="Or upload a file (.txt, .md, .html, .csv with question/answer columns)">
          <input type="file" accept=".txt,.md,.html,.htm,.csv" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
        </Field>
      </Card>
      <Ask orgId={org.id} />
    </>
  );
}
