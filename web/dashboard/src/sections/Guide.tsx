// The first-run guide: a new organization from nothing to an answered visitor, one step at a time —
// number → knowledge → agents → widget → embed → try it on a page of its own. Each step says what
// is done and what is missing, read from the organization's real state (numbers, knowledge and its
// training, agents, widgets, the website chats); the work itself is done in the sections' own parts.
import { useEffect, useRef, useState } from 'react';
import { get, patch, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useLoad } from '../ui.js';
import type { AgentJson as Agent } from '../../../../src/services/agents/agents.js';
import type { ConversationJson as Conversation } from '../../../../src/services/conversations/conversations.js';
import type { Answer } from '../../../../src/services/knowledge/answers.js';
import type { WidgetJson as Widget } from '../../../../src/services/widgets/settings.js';
import { Agents } from './Agents.js';
import { Ask, KnowledgeDocuments, type KnowledgeList, knowledgeOf } from './Knowledge.js';
import { type UsableNumber, UsableNumbers, usableNumbersOf } from './Numbers.js';
import { EmbedSnippet, Pool, previewPath, Settings } from './Widgets.js';

/** Agents accept from their phone and visitors write from another page: the guide looks again this often. */
const POLL_MS = 4000;

const STEPS = [
  { name: 'number', title: 'A WhatsApp number' },
  { name: 'knowledge', title: 'What the bot knows' },
  { name: 'agents', title: 'Agents who answer' },
  { name: 'widget', title: 'The website chat' },
  { name: 'embed', title: 'Embed it on your site' },
  { name: 'try', title: 'Try it as a visitor' },
] as const;
type StepName = (typeof STEPS)[number]['name'];

interface StepState {
  done: boolean;
  /** what is in place */
  facts: string[];
  /** what is still missing, each with what to do */
  missing: string[];
}

interface State {
  numbers: UsableNumber[];
  knowledge: KnowledgeList;
  agents: Agent[];
  invitation: { code: string; sendTo: string | null; text: string };
  widgets: Widget[];
  chats: Conversation[];
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const list = (items: string[]) => items.join(', ');
const agentName = (a: Agent) => `${a.name} (${a.number})`;

function numberStep(s: State, org: SectionProps['org']): StepState {
  const own = s.numbers.filter((n) => n.owner === 'organization');
  const facts = own.map((n) => `${n.phoneNumber ?? n.providerId} (${n.provider}${n.connection === 'own' ? ', your account' : ''}) — sender ${n.senderStatus}`);
  const missing = own.length === 0 ? ['No number of your own yet: add a simulated one in one click, or bring a real one (below).'] : [];
  for (const n of own) if (n.lastSendError) missing.push(`${n.phoneNumber ?? n.providerId}: the last send failed — ${n.lastSendError}`);
  const platform = s.numbers.filter((n) => n.owner === 'platform' && n.phoneNumber);
  if (own.length === 0 && platform.length > 0) facts.push(`Meanwhile the platform's ${list(platform.map((n) => n.phoneNumber!))} can carry handovers.`);
  if (org.sharedTrialNumber) facts.push(`Customers reach you on the shared trial number ${org.sharedTrialNumber} by sending “join ${org.joinCode}”.`);
  return { done: own.length > 0, facts, missing };
}

function knowledgeStep(s: State, asked: { question: string; answer: Answer } | undefined): StepState {
  const { documents, trainedAt, changedSinceTraining } = s.knowledge;
  const newer = documents.filter((d) => trainedAt && d.createdAt > trainedAt);
  const facts: string[] = [];
  const missing: string[] = [];
  if (documents.length > 0) facts.push(`${documents.length} document${documents.length === 1 ? '' : 's'}: ${list(documents.map((d) => d.title))}`);
  else missing.push('No documents yet: type one or upload a file (.txt, .md, .html, .csv, .pdf, .docx).');
  if (trainedAt) facts.push(`Trained ${when(trainedAt)}`);
  if (documents.length > 0 && !trainedAt) missing.push('Not trained yet: press Train so answers use it.');
  else if (trainedAt && changedSinceTraining) {
    const added = newer.length > 0 ? ` (${newer.length} added: ${list(newer.map((d) => d.title))})` : '';
    missing.push(`Changed since the last training${added}: train again.`);
  }
  if (asked)
    facts.push(
      `You asked “${asked.question}”: ${asked.answer.untrained ? 'not trained yet, a person is offered' : asked.answer.offerHuman ? 'not sure, a person is offered' : `answered (${Math.round(asked.answer.confidence * 100)}% sure)`}`,
    );
  return { done: documents.length > 0 && Boolean(trainedAt) && !changedSinceTraining, facts, missing };
}

function agentsStep(s: State): StepState {
  const active = s.agents.filter((a) => a.status === 'active');
  const facts = active.length > 0 ? [`Active: ${list(active.map(agentName))}`] : [];
  const missing = s.agents.length === 0 ? ['No agent yet: add the people who answer visitors from their own WhatsApp.'] : [];
  const where = s.invitation.sendTo ?? 'one of your numbers (add a number first)';
  for (const a of s.agents.filter((x) => x.status === 'invited')) {
    missing.push(`${agentName(a)} has not accepted yet: they send “${s.invitation.text}” from their WhatsApp to ${where}.`);
  }
  return { done: active.length > 0, facts, missing };
}

/** The widget's agents with their current status (the agents list is read more often than the widgets). */
function widgetAgents(widget: Widget, agents: Agent[]) {
  return widget.agentWhatsappNumbers.map((number) => agents.find((a) => a.number === number) ?? { number, name: number, status: 'invited' as const });
}

function senderText(widget: Widget, numbers: UsableNumber[]): string | undefined {
  const pool = widget.whatsappNumberPool.filter((p) => p.isActive).map((p) => p.number);
  if (pool.length > 0) return `Hands over from the pool: ${list(pool)}`;
  if (widget.handoverWhatsappNumber) return `Hands over from ${widget.handoverWhatsappNumber}`;
  const sendTo = widget.agentInvitation.sendTo;
  if (!sendTo) return undefined;
  const own = numbers.some((n) => n.owner === 'organization' && n.phoneNumber === sendTo);
  return `Hands over from ${sendTo} (${own ? 'your number' : "the platform's default sender"}; none picked)`;
}

function widgetStep(s: State, widget: Widget | undefined): StepState {
  if (!widget) return { done: false, facts: [], missing: ['No widget yet: create one below.'] };
  const facts: string[] = [];
  const missing: string[] = [];
  if (widget.allowedOrigins.length > 0) facts.push(`“${widget.name}” may be used on ${list(widget.allowedOrigins)}`);
  else missing.push('No allowed origin: add the address of the website it goes on.');
  facts.push(widget.greeting ? `Greets visitors with “${widget.greeting}”` : 'No greeting (optional)');
  const hours = widget.workingHours;
  facts.push(
    hours
      ? `Agents answer ${list(hours.days.map((d) => DAYS[d]!))} ${hours.start}–${hours.end} (${hours.timeZone}); outside, visitors are told when you are back`
      : 'Agents answer at any hour (no working hours set)',
  );
  const sender = senderText(widget, s.numbers);
  if (sender) facts.push(sender);
  else missing.push('No number can send its handovers: add a number (step 1) and pick it as the handover sender.');
  const agents = widgetAgents(widget, s.agents);
  const active = agents.filter((a) => a.status === 'active');
  if (active.length > 0) facts.push(`Hands over to ${list(active.map((a) => a.name))}`);
  else if (agents.length === 0) missing.push('It hands over to nobody: add your agents to it.');
  else missing.push(`None of its agents has accepted yet (${list(agents.map((a) => a.name))}): see step 3.`);
  return { done: widget.allowedOrigins.length > 0 && Boolean(sender) && active.length > 0, facts, missing };
}

function embedStep(s: State, widget: Widget | undefined): StepState {
  if (!widget) return { done: false, facts: [], missing: ['Create the widget first (step 4).'] };
  const chats = s.chats;
  if (chats.length === 0) {
    return { done: false, facts: [], missing: ['No visitor has written yet: paste the snippet into your site, or try it on its own page (step 6).'] };
  }
  const latest = chats.reduce((a, b) => (a.lastMessageAt > b.lastMessageAt ? a : b));
  return { done: true, facts: [`${chats.length} website chat${chats.length === 1 ? '' : 's'} so far, the latest ${when(latest.lastMessageAt)}`], missing: [] };
}

function tryStep(s: State, widget: Widget | undefined): StepState {
  if (!widget) return { done: false, facts: [], missing: ['Create the widget first (step 4).'] };
  const answered = s.chats.filter((c) => c.agentNumber);
  const facts = answered.map((c) => `${c.agentName ?? c.agentNumber} answered ${c.contactName ?? 'a visitor'} (#${c.ref})`);
  const missing: string[] = [];
  for (const c of s.chats.filter((x) => x.status === 'waiting_agent')) {
    missing.push(`#${c.ref} ${c.contactName ?? 'a visitor'} is waiting: an active agent answers from their WhatsApp.`);
  }
  if (answered.length === 0 && missing.length === 0) {
    missing.push("No visitor answered by an agent yet: open the widget's page, ask for a human, and answer from the agent's WhatsApp.");
  }
  return { done: answered.length > 0, facts: facts.slice(0, 3), missing };
}

/** A new widget that works at once: this site allowed, handing over to the agents from the organization's number. */
function NewWidget({ orgId, state, onCreated }: { orgId: string; state: State; onCreated: (widget: Widget) => void }) {
  const [name, setName] = useState('Website chat');
  const [site, setSite] = useState('');
  const action = useAction();
  const own = state.numbers.find((n) => n.owner === 'organization' && n.phoneNumber);
  const agents = state.agents.filter((a) => a.status !== 'stopped');
  const create = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const origins = [...new Set([site.trim().replace(/\/+$/, ''), location.origin].filter(Boolean))];
      const body = await post<{ widget: Widget }>(`/api/organizations/${orgId}/widgets`, {
        name,
        allowedOrigins: origins,
        agentWhatsappNumbers: agents.map((a) => a.number),
        ...(own ? { handoverWhatsappNumber: own.phoneNumber } : {}),
      });
      onCreated(body.widget);
    });
  };
  return (
    <Card title="Create the widget">
      <p className="muted">
        It hands over to {agents.length > 0 ? list(agents.map((a) => a.name)) : 'nobody yet'}
        {own ? ` from ${own.phoneNumber}` : ''}; everything can be changed after.
      </p>
      <form className="row" onSubmit={create} aria-label="Create the widget">
        <Field label="Widget name">
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </Field>
        <Field label="Your website (optional)">
          <input value={site} onChange={(e) => setSite(e.target.value)} placeholder="https://www.example.com" type="url" />
        </Field>
        <button type="submit" disabled={action.busy}>
          Create widget
        </button>
      </form>
      <ErrorBox error={action.error} />
    </Card>
  );
}

/** Adds the organization's active agents a widget does not hand over to yet, in one click. */
function AddAgentsToWidget({ widget, agents, onSaved }: { widget: Widget; agents: Agent[]; onSaved: () => void }) {
  const action = useAction();
  const left = agents.filter((a) => a.status === 'active' && !widget.agentWhatsappNumbers.includes(a.number));
  if (left.length === 0) return null;
  const add = () =>
    action.run(async () => {
      await patch(`/api/widgets/${widget.id}`, { agentWhatsappNumbers: [...widget.agentWhatsappNumbers, ...left.map((a) => a.number)] });
      onSaved();
    });
  return (
    <div className="notice">
      {list(left.map((a) => a.name))} {left.length === 1 ? 'is an active agent' : 'are active agents'} this widget does not hand over to.{' '}
      <button type="button" className="small" onClick={() => void add()} disabled={action.busy}>
        Hand over to {left.length === 1 ? left[0]!.name : 'them'} too
      </button>
      <ErrorBox error={action.error} />
    </div>
  );
}

/** The real ways to a number, each done in the Numbers section. */
function RealNumbers({ go }: { go: SectionProps['go'] }) {
  const open = (
    <button type="button" className="link" onClick={() => go('numbers')}>
      Numbers
    </button>
  );
  return (
    <Card title="Or a real number">
      <ul className="list">
        <li>
          <strong>Twilio</strong>: search and buy a number on the platform's account (paid plans) — in {open}.
        </li>
        <li>
          <strong>Meta (WhatsApp Cloud API)</strong>: the platform administrator assigns a number of the shared business account — in {open}.
        </li>
        <li>
          <strong>Whapi</strong>: a WhatsApp channel of Whapi, assigned by the platform administrator or with your channel's token — in {open}.
        </li>
        <li>
          <strong>Your own account</strong> (Twilio, Meta or Whapi): connect it once (checked, stored encrypted), then add its number — in {open}.
        </li>
      </ul>
    </Card>
  );
}

function Simulator({ numbers, what }: { numbers: UsableNumber[]; what: string }) {
  // only a server in simulator mode hands out simulated numbers, so the page exists when one is there
  if (!numbers.some((n) => n.provider === 'simulator')) return null;
  return (
    <p className="muted">
      No phone at hand? {what} on{' '}
      <a href="/simulator" target="_blank" rel="noreferrer">
        the simulator
      </a>
      .
    </p>
  );
}

/** Nothing set up yet — no number of its own, no knowledge, no widget: where the guide is the place to start. */
export async function hasNothingYet(orgId: string): Promise<boolean> {
  const [numbers, knowledge, widgets] = await Promise.all([
    usableNumbersOf(orgId),
    knowledgeOf(orgId),
    get<{ widgets: Widget[] }>(`/api/organizations/${orgId}/widgets`).then((b) => b.widgets),
  ]);
  return !numbers.some((n) => n.owner === 'organization') && knowledge.documents.length === 0 && widgets.length === 0;
}

function GuideFor(props: SectionProps) {
  const { org, go } = props;
  const numbers = useLoad(() => usableNumbersOf(org.id), [org.id], POLL_MS);
  const knowledge = useLoad(() => knowledgeOf(org.id), [org.id], POLL_MS);
  const agents = useLoad(() => get<{ agents: Agent[]; agentInvitation: State['invitation'] }>(`/api/organizations/${org.id}/agents`), [org.id], POLL_MS);
  // not polled: the widget editor below keeps its unsaved changes until the widget itself changes
  const widgets = useLoad(() => get<{ widgets: Widget[] }>(`/api/organizations/${org.id}/widgets`).then((b) => b.widgets), [org.id]);
  const chats = useLoad(
    () => get<{ conversations: Conversation[] }>(`/api/organizations/${org.id}/conversations?channel=widget`).then((b) => b.conversations),
    [org.id],
    POLL_MS,
  );
  const [asked, setAsked] = useState<{ question: string; answer: Answer }>();
  const [chosenWidget, setChosenWidget] = useState<string>();
  const [open, setOpen] = useState<StepName>();
  const opened = useRef(false);

  const state: State | undefined =
    numbers.data && knowledge.data && agents.data && widgets.data && chats.data
      ? {
          numbers: numbers.data,
          knowledge: knowledge.data,
          agents: agents.data.agents,
          invitation: agents.data.agentInvitation,
          widgets: widgets.data,
          chats: chats.data,
        }
      : undefined;
  const widget = state?.widgets.find((w) => w.id === chosenWidget) ?? state?.widgets[0];
  const steps: Record<StepName, StepState> | undefined = state && {
    number: numberStep(state, org),
    knowledge: knowledgeStep(state, asked),
    agents: agentsStep(state),
    widget: widgetStep(state, widget),
    embed: embedStep(state, widget),
    try: tryStep(state, widget),
  };

  // Opens on the first step still missing, once; after that the operator decides what is open.
  useEffect(() => {
    if (!steps || opened.current) return;
    opened.current = true;
    setOpen(STEPS.find((s) => !steps[s.name].done)?.name);
  }, [steps === undefined]);

  const error = numbers.error ?? knowledge.error ?? agents.error ?? widgets.error ?? chats.error;
  if (!state || !steps) return <ErrorBox error={error} />;
  const doneCount = STEPS.filter((s) => steps[s.name].done).length;
  const savedWidget = () => void widgets.reload();

  const work = (name: StepName) => {
    switch (name) {
      case 'number':
        return (
          <>
            <UsableNumbers org={org} onChanged={() => void numbers.reload()} />
            <RealNumbers go={go} />
          </>
        );
      case 'knowledge':
        return (
          <>
            <KnowledgeDocuments orgId={org.id} onChanged={() => void knowledge.reload()} />
            <Ask orgId={org.id} onAnswered={(question, answer) => setAsked({ question, answer })} />
          </>
        );
      case 'agents':
        return (
          <>
            <Agents {...props} />
            <Simulator numbers={state.numbers} what="Send the ACCEPT message from an agent's simulated phone" />
          </>
        );
      case 'widget':
        if (!widget) {
          const created = (w: Widget) => {
            setChosenWidget(w.id);
            savedWidget();
          };
          return <NewWidget orgId={org.id} state={state} onCreated={created} />;
        }
        return (
          <>
            {state.widgets.length > 1 && (
              <div className="row">
                {state.widgets.map((w) => (
                  <button type="button" key={w.id} className={w.id === widget.id ? 'chip active' : 'chip'} onClick={() => setChosenWidget(w.id)}>
                    {w.name}
                  </button>
                ))}
              </div>
            )}
            <AddAgentsToWidget widget={widget} agents={state.agents} onSaved={savedWidget} />
            {/* keyed by the saved version: a change made here (adding agents) shows in the form at once */}
            <Settings key={`${widget.id}@${widget.updatedAt}`} widget={widget} numbers={state.numbers} onSaved={savedWidget} />
            <Pool widget={widget} numbers={state.numbers} onSaved={savedWidget} />
          </>
        );
      case 'embed':
        return widget ? (
          <Card title="Embed snippet">
            <EmbedSnippet widget={widget} />
            <p className="muted">It answers only on the allowed origins: {list(widget.allowedOrigins) || 'none yet'} (change them in step 4).</p>
          </Card>
        ) : null;
      case 'try':
        return widget ? (
          <Card title="On a page of its own">
            <p>
              Open the widget's page, write a question, then press “Talk to a human”: your active agents get it on WhatsApp and their answer appears in the
              chat.
            </p>
            <p className="row">
              <a className="button-link" href={previewPath(widget)} target="_blank" rel="noreferrer">
                Open the widget's page
              </a>
              <button type="button" className="link" onClick={() => go('conversations')}>
                Follow it in Conversations
              </button>
            </p>
            <Simulator numbers={state.numbers} what="Answer as the agent from their simulated phone" />
          </Card>
        ) : null;
    }
  };

  return (
    <>
      <Card title={`Set up ${org.name}`}>
        <p data-testid="guide-progress">
          {doneCount === STEPS.length ? 'All six steps are done: visitors are answered.' : `${doneCount} of ${STEPS.length} steps done.`}
        </p>
        <p className="muted">Every step can be done here; this guide stays under “Get started”.</p>
        <ErrorBox error={error} />
      </Card>
      <ol className="guide">
        {STEPS.map((step, i) => {
          const s = steps[step.name];
          const isOpen = open === step.name;
          const next = STEPS[i + 1];
          return (
            <li key={step.name} className={`card guide-step ${s.done ? 'done' : 'missing'}`} data-step={step.name} data-state={s.done ? 'done' : 'missing'}>
              <h2 className="guide-head">
                <button type="button" className="guide-toggle" aria-expanded={isOpen} onClick={() => setOpen(isOpen ? undefined : step.name)}>
                  <span className="guide-mark" aria-hidden="true">
                    {s.done ? '✓' : i + 1}
                  </span>
                  {step.title}
                </button>
                <span className={`badge ${s.done ? 'active' : 'invited'}`}>{s.done ? 'Done' : 'To do'}</span>
              </h2>
              <ul className="guide-lines">
                {s.facts.map((text) => (
                  <li key={`f:${text}`} className="fact">
                    {text}
                  </li>
                ))}
                {s.missing.map((text) => (
                  <li key={`m:${text}`} className="missing">
                    {text}
                  </li>
                ))}
              </ul>
              {isOpen && (
                <div className="guide-work">
                  {work(step.name)}
                  {next && (
                    <button type="button" onClick={() => setOpen(next.name)}>
                      Next: {next.title}
                    </button>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </>
  );
}

export function Guide(props: SectionProps) {
  // keyed by organization: another one starts at its own first missing step, with nothing carried over
  return <GuideFor key={props.org.id} {...props} />;
}
