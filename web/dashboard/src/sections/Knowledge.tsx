// Knowledge base: add text or a file, train, and try a question the way a customer would ask it.
import { useState } from 'react';
import { api, del, get, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useLoad } from '../ui.js';
import type { Answer } from '../../../../src/services/knowledge/answers.js';
import type { KnowledgeDocumentJson as KnowledgeDocument } from '../../../../src/services/knowledge/training.js';

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
  const train = () =>
    action.run(async () => {
      const body = await post<{ chunks: number; documents: number; byMeaning: boolean }>(`/api/organizations/${org.id}/train`);
      setNote(`Trained on ${body.documents} documents, ${body.chunks} passages; answers match by ${body.byMeaning ? 'meaning and words' : 'words only'}.`);
      await docs.reload();
    });
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
          <button type="button" onClick={() => void train()}>
            Train
          </button>
        }
      >
        {docs.data?.trainedAt !== undefined && <p className="muted">Last trained: {when(docs.data.trainedAt)}</p>}
        {note && <p className="notice">{note}</p>}
        <ErrorBox error={docs.error ?? action.error} />
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
