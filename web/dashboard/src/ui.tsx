// Small shared pieces: loading data with its error, an error box, a form field, the confirmation
// every destructive action asks.
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { get } from './api.js';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const loadRef = useRef(load);
  loadRef.current = load;
  // Only the latest read may land: an older answer arriving late must not undo a newer one.
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++latest.current;
    try {
      const value = await loadRef.current();
      if (mine !== latest.current) return;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (mine === latest.current) setError((err as Error).message);
    }
  }, []);
  useEffect(() => {
    setData(undefined);
    void reload();
    if (!pollMs) return;
    const timer = setInterval(() => void reload(), pollMs);
    return () => clearInterval(timer);
  }, deps);
  return { data, error, reload, setData };
}

/** Runs an action, keeping its error (or success note) for display. */
export function useAction() {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, setError };
}

export function ErrorBox({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

export function Card({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** Horizontal bars in plain CSS: label, bar scaled to the largest value, formatted value. */
export function Bars({ rows, format }: { rows: { label: string; value: number }[]; format: (v: number) => string }) {
  const max = Math.max(...rows.map((r) => r.value), 0) || 1;
  return (
    <div className="bars">
      {rows.map((r) => (
        <div className="bar-row" key={r.label}>
          <span className="bar-label" title={r.label}>
            {r.label}
          </span>
          <span className="bar-track">
            <span className="bar" style={{ width: `${(r.value / max) * 100}%` }} />
          </span>
          <span className="bar-value">{format(r.value)}</span>
        </div>
      ))}
    </div>
  );
}

/**
 * Where the operator looks on every page: the organization is near (80%) or at its plan's monthly
 * limit of customer messages. At the limit the bot is silent and the inbox marks what it left.
 */
export function LimitBanner({
  org,
  onUsage,
}: {
  org: { plan: string; limitState: 'ok' | 'near' | 'reached'; messagesUsed: number; messageLimit: number };
  onUsage: () => void;
}) {
  if (org.limitState === 'ok') return null;
  const reached = org.limitState === 'reached';
  return (
    <div className={`limit-banner ${reached ? 'reached' : 'near'}`} role="alert" data-testid="limit-banner">
      {reached ? (
        <span>
          <strong>Monthly limit reached:</strong> {org.messagesUsed} of {org.messageLimit} customer messages on the {org.plan} plan. The bot no longer answers;
          customers' messages are marked “not answered” in the inbox. Raise the plan and those from the last 24 hours are answered.
        </span>
      ) : (
        <span>
          <strong>Near the monthly limit:</strong> {org.messagesUsed} of {org.messageLimit} customer messages on the {org.plan} plan. At {org.messageLimit} the
          bot stops answering.
        </span>
      )}{' '}
      <button type="button" className="link" onClick={onUsage}>
        See usage
      </button>
    </div>
  );
}

interface Question {
  title: string;
  /** what will happen, as the server's preview says it */
  effects: string;
  /** the button that does it: "Revoke", "Remove", "Delete" */
  confirm: string;
  answer: (yes: boolean) => void;
}

/**
 * The one confirmation of every destructive action: `ask` reads the server's preview (what will
 * happen, nothing changed yet), shows it once, and answers the preview when confirmed, or
 * undefined on Cancel (or Escape) — then nothing happens. Render `dialog` in the section.
 */
export function useConfirm() {
  const [question, setQuestion] = useState<Question>();
  const ask = async <T extends { summary: string }>(input: { title: string; preview: string; confirm: string }): Promise<T | undefined> => {
    const preview = await get<T>(input.preview);
    const yes = await new Promise<boolean>((resolve) => setQuestion({ title: input.title, effects: preview.summary, confirm: input.confirm, answer: resolve }));
    return yes ? preview : undefined;
  };
  const close = (yes: boolean) => {
    question?.answer(yes);
    setQuestion(undefined);
  };
  const dialog = question ? <ConfirmDialog question={question} onAnswer={close} /> : null;
  return { ask, dialog };
}

function ConfirmDialog({ question, onAnswer }: { question: Question; onAnswer: (yes: boolean) => void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancel.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onAnswer(false);
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [question]);
  return (
    <div className="confirm-backdrop">
      <div className="confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-effects">
        <h2 id="confirm-title">{question.title}</h2>
        <p id="confirm-effects" data-testid="confirm-effects">
          {question.effects}
        </p>
        <div className="confirm-actions">
          <button type="button" ref={cancel} className="chip" onClick={() => onAnswer(false)}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={() => onAnswer(true)}>
            {question.confirm}
          </button>
        </div>
      </div>
    </div>
  );
}
