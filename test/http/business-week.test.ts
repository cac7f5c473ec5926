// A business week of handovers (issue 23's "Done when"), played over the HTTP edge on the fake Twilio
// (with its Content API) and on the simulator, which both keep WhatsApp's 24-hour window: 3 agents, a
// pool of 3 numbers nobody has written to, the managed handover template, bursts of 10 visitors, one
// agent who never answers, one removed mid-conversation, escalation and inactivity. After each day:
// every visitor who asked for a person is claimed or waits visibly with a reason, nobody was told "no
// agent could be reached" while a path existed, and no message reached a wrong person (a neighbour
// shop on the same platform, with its own agent and number, hears nothing of ours nor we of theirs).
// The simulator approves a template the moment it is made, so only the Twilio week has a pending one.
import { afterEach, describe, expect, it } from 'vitest';
import { visitorText } from '../../src/core/handover-text.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { sweepHandovers } from '../../src/services/handover/inactivity.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { type AdminApi, startAdminApi } from './admin-client.js';
import { openVisitor, PUBLIC_URL, startEdge, unpacedSends, type Visitor } from './handover-support.js';

const ROSA = '+15550100101';
const BEN = '+15550100102'; // removed on Tuesday, mid-conversation
const ANA = '+15550100103'; // never answers
const AGENTS = [
  { name: 'Rosa', number: ROSA },
  { name: 'Ben', number: BEN },
  { name: 'Ana', number: ANA },
];
// The neighbour shop on the same platform: its agent and ours must never hear of each other's visitors.
const ZOE = { name: 'Zoe', number: '+15550100104' };
const MINUTE = 60_000;

/** One provider under the week: how agents write in and what reached the phones. */
interface Phones {
  api: AdminApi;
  pool: string[];
  /** the neighbour shop's one number */
  neighbourNumber: string;
  /** the template is still in review on Monday (Twilio); the simulator approves at once */
  templateReviewed: boolean;
  /** an agent's WhatsApp message to a business number, as the provider posts it; jobs then drained */
  write(from: string, to: string, text: string): Promise<void>;
  /** every message the provider delivered to a phone, oldest first (a template: its variables) */
  delivered(): Array<{ from: string; to: string; text: string }>;
  /** the pool numbers become the organization's (Twilio: found in the platform account when the widget is saved) */
  addNumbers(org: { id: string; key: string }, numbers: string[]): Promise<void>;
  /** the reviewer approves every submitted template */
  approveTemplates(): void;
  close(): Promise<void>;
}

interface Asked {
  visitor: Visitor;
  ref: number;
  assigned: string;
}

const strip = (address: unknown) => String(address ?? '').replace(/^whatsapp:/, '');

async function twilioPhones(): Promise<Phones> {
  const twilio: FakeTwilio = await startFakeTwilio();
  twilio.submitAs('pending');
  const pool = ['+15558986361', '+15558986362', '+15558986363'];
  for (const [i, n] of pool.entries()) twilio.addIncomingNumber(n, `Desk ${i + 1}`);
  twilio.addIncomingNumber('+15558986369', 'Harbour Tea');
  const edge = await startEdge(twilio);
  return {
    api: edge,
    pool,
    neighbourNumber: '+15558986369',
    templateReviewed: true,
    async write(from, to, text) {
      expect(await edge.twilioInbound(from, to, text)).toBe(200);
      await edge.drain();
    },
    delivered: () =>
      [...twilio.messages.values()].map((m) => ({
        from: strip(m.from),
        to: strip(m.to),
        text: `${m.Body ?? m.body ?? ''} ${m.ContentVariables ?? ''}`,
      })),
    addNumbers: async () => {},
    approveTemplates() {
      for (const [sid, item] of twilio.contents) if (item.approval) twilio.review(sid, 'approved');
    },
    async close() {
      await edge.server.stop();
      await twilio.close();
    },
  };
}

async function simulatorPhones(): Promise<Phones> {
  const api = await startAdminApi({ env: { SIMULATOR: '1', WORKER: '0', PUBLIC_URL } });
  const delivered: Array<{ from: string; to: string; text: string }> = [];
  api.ctx.bus.subscribe('sim', (e) => {
    if (e.type !== 'message') return;
    const m = e.data as { from: string; to: string; text: string | null };
    delivered.push({ from: m.from, to: m.to, text: m.text ?? '' });
  });
  let inbound = 0;
  const pool = ['+15550100011', '+15550100012', '+15550100013'];
  return {
    api,
    pool,
    neighbourNumber: '+15550100019',
    templateReviewed: false,
    async write(from, to, text) {
      const posted = await api.server.app.inject({ method: 'POST', url: '/api/webhooks/sim', payload: { id: `sim_in_${++inbound}`, from, to, text } });
      expect(posted.statusCode).toBe(200);
      await drainJobs(api.ctx);
    },
    delivered: () => [...delivered],
    async addNumbers(org, numbers) {
      for (const phoneNumber of numbers) {
        const added = await api.call('POST', `/api/organizations/${org.id}/numbers`, { key: org.key, body: { provider: 'simulator', phoneNumber } });
        expect(added.status, added.text).toBe(201);
      }
    },
    approveTemplates() {},
    async close() {
      await api.server.stop();
    },
  };
}

async function businessWeek(p: Phones) {
  const { api } = p;
  const clock = api.ctx.clock;
  const drain = () => drainJobs(api.ctx);
  unpacedSends(api);
  clock.set('2026-12-05T10:00:00Z'); // Saturday: the shop is set up
  const org = await api.organizationWithKey('Crumb & Co Bakery', { plan: 'business' });
  const ids: Record<string, string> = {};
  for (const agent of AGENTS) ids[agent.number] = (await api.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: agent })).body.agent.id;
  await p.addNumbers(org, p.pool);
  const created = await api.call('POST', `/api/organizations/${org.id}/widgets`, {
    key: org.key,
    body: {
      name: 'Website chat',
      allowedOrigins: ['*'],
      agentWhatsappNumbers: AGENTS.map((a) => a.number),
      whatsappNumberPool: p.pool.map((number, i) => ({ number, displayName: `Desk ${i + 1}` })),
      agentResponseMinutes: 3,
      inactivityTimeoutMinutes: 30,
    },
  });
  expect(created.status, created.text).toBe(201);
  const publicKey = created.body.widget.publicKey as string;
  await drain(); // the handover template is created and submitted
  // Each agent accepts from their phone on Saturday: by Monday every window is long closed.
  const invitation = (await api.call('GET', `/api/organizations/${org.id}/agents`, { key: org.key })).body.agentInvitation.text as string;
  for (const agent of AGENTS) await p.write(agent.number, p.pool[0]!, invitation);

  // The neighbour: Harbour Tea, Zoe its one agent on its one number; a guest a day, whom she answers.
  const tea = await api.organizationWithKey('Harbour Tea', { plan: 'business' });
  await api.call('POST', `/api/organizations/${tea.id}/agents`, { key: tea.key, body: ZOE });
  await p.addNumbers(tea, [p.neighbourNumber]);
  const teaWidget = await api.call('POST', `/api/organizations/${tea.id}/widgets`, {
    key: tea.key,
    body: { name: 'Tea chat', allowedOrigins: ['*'], agentWhatsappNumbers: [ZOE.number], whatsappNumberPool: [{ number: p.neighbourNumber }] },
  });
  expect(teaWidget.status, teaWidget.text).toBe(201);
  await drain();
  const teaInvitation = (await api.call('GET', `/api/organizations/${tea.id}/agents`, { key: tea.key })).body.agentInvitation.text as string;
  await p.write(ZOE.number, p.neighbourNumber, teaInvitation);
  const teaGuests: Asked[] = [];
  async function teaGuest(day: string) {
    const guest = await openVisitor(api, teaWidget.body.widget.publicKey, `Tea guest ${day}`);
    await guest.say('Do you have oolong?');
    const handed = await guest.handover();
    expect(handed.status).toBe(200);
    const a = { visitor: guest, ref: handed.body.conversationRef as number, assigned: handed.body.assignedWhatsappNumber as string };
    teaGuests.push(a);
    await p.write(ZOE.number, a.assigned, `#${a.ref}: Zoe to #${a.ref}`);
    expect(guest.agentTexts()).toEqual([`Zoe to #${a.ref}`]);
  }

  const asked: Asked[] = [];
  const claimedBy = new Map<number, string>();
  let benRemovedAt = Number.POSITIVE_INFINITY; // index in the deliveries after which Ben gets nothing

  const templateStatus = async () =>
    (await api.call('GET', `/api/organizations/${org.id}/templates`, { key: org.key })).body.templates.map((t: { status: string }) => t.status);

  async function burst(day: string) {
    const visitors = [];
    for (let i = 1; i <= 10; i++) visitors.push(await openVisitor(api, publicKey, `${day} visitor ${i}`));
    for (const v of visitors) await v.say('Can I talk to a person about my order?');
    const mine: Asked[] = [];
    for (const v of visitors) {
      const answer = await v.handover();
      expect(answer.status).toBe(200);
      mine.push({ visitor: v, ref: answer.body.conversationRef, assigned: answer.body.assignedWhatsappNumber });
    }
    asked.push(...mine);
    return mine;
  }

  /** An agent answers a conversation on the number that carries it: the visitor sees "<name> to #ref". */
  async function answer(agent: { name: string; number: string }, a: Asked) {
    await p.write(agent.number, a.assigned, `#${a.ref}: ${agent.name} to #${a.ref}`);
    claimedBy.set(a.ref, agent.number);
  }

  const notifications = async (ref: number) =>
    api.ctx.db
      .selectFrom('handover_notifications as n')
      .innerJoin('conversations as c', 'c.id', 'n.conversation_id')
      .select(['n.agent_number', 'n.path', 'n.reason', 'n.failed_at'])
      .where('c.organization_id', '=', org.id)
      .where('c.ref', '=', ref)
      .execute();

  async function everyoneAccountedFor(when: string) {
    const inbox = await api.call('GET', `/api/organizations/${org.id}/conversations?status=waiting_agent`, { key: org.key });
    expect(inbox.status).toBe(200);
    const waitingByRef = new Map<number, any>(inbox.body.conversations.map((c: { ref: number }) => [c.ref, c]));
    for (const a of asked) {
      const row = await api.ctx.db
        .selectFrom('conversations')
        .select(['status', 'agent_number'])
        .where('organization_id', '=', org.id)
        .where('ref', '=', a.ref)
        .executeTakeFirstOrThrow();
      const told = await notifications(a.ref);
      const reached = told.some((n) => n.path !== 'skipped' && n.failed_at === null);
      const label = `${when}: #${a.ref} (${row.status})`;
      if (row.status === 'agent') {
        expect(row.agent_number, label).toBe(claimedBy.get(a.ref));
      } else if (row.status === 'waiting_agent') {
        // Visible in the inbox with each agent's outcome, and a reason for every agent not reached.
        const listed = waitingByRef.get(a.ref);
        expect(listed, label).toBeDefined();
        expect(listed.waiting.agents.length, label).toBeGreaterThan(0);
        for (const agent of listed.waiting.agents) if (!agent.reached) expect(agent.reason, label).toMatch(/\w/);
      } else {
        // Closed only for inactivity, once an agent had it or had been told of it.
        expect(row.status, label).toBe('closed');
        expect(claimedBy.has(a.ref) || reached, label).toBe(true);
      }
      // "No agent could be reached" only when every agent's path was skipped — until one could be
      // reached later (a template approved, a window opened), which the visitor is then told.
      const toldNoAgent = a.visitor.live.some((e) => (e.data as { text?: string }).text === visitorText.noAgentReachable);
      const toldReachedLater = a.visitor.live.some((e) => (e.data as { text?: string }).text === visitorText.agentReachedLater);
      if (toldReachedLater) expect(toldNoAgent && told.some((n) => n.path !== 'skipped'), label).toBe(true);
      if (toldNoAgent && !toldReachedLater)
        expect(
          told.every((n) => n.path === 'skipped'),
          label,
        ).toBe(true);
      // Each agent's words reached only their own visitor.
      for (const text of a.visitor.agentTexts()) expect(text, label).toMatch(new RegExp(`^(Rosa|Ben|Ana) to #${a.ref}$`));
    }
    for (const a of teaGuests) for (const text of a.visitor.agentTexts()) expect(text, `${when}: tea #${a.ref}`).toBe(`Zoe to #${a.ref}`);
    // What reached a phone went from the pool to an agent of the widget, about one of its conversations;
    // nothing to Ben once he was removed.
    const refs = new Set(asked.map((a) => a.ref));
    const teaRefs = new Set(teaGuests.map((a) => a.ref));
    for (const [i, d] of p.delivered().entries()) {
      if (d.to === ZOE.number) {
        expect(d.from, `${when}: delivery ${i} to Zoe from`).toBe(p.neighbourNumber);
        expect(d.text, `${when}: delivery ${i} to Zoe`).not.toMatch(/(Mon|Tue|Wed|Fri) visitor/);
        for (const [, ref] of d.text.matchAll(/#(\d+)\b/g)) expect(teaRefs.has(Number(ref)), `${when}: delivery ${i} to Zoe names #${ref}`).toBe(true);
        continue;
      }
      expect(p.pool, `${when}: delivery ${i} from`).toContain(d.from);
      expect([ROSA, BEN, ANA], `${when}: delivery ${i} to`).toContain(d.to);
      expect(d.text, `${when}: delivery ${i} to ${d.to}`).not.toContain('Tea guest');
      if (d.to === BEN) expect(i, `${when}: delivery ${i} to Ben after removal: ${d.text}`).toBeLessThan(benRemovedAt);
      for (const [, ref] of d.text.matchAll(/#(\d+)\b/g)) expect(refs.has(Number(ref)), `${when}: delivery ${i} names #${ref}`).toBe(true);
    }
  }

  // Monday: ten visitors on a pool nobody wrote to in 24 hours.
  clock.set('2026-12-07T09:00:00Z');
  expect(await templateStatus()).toEqual([p.templateReviewed ? 'pending' : 'approved']);
  const monday = await burst('Mon');
  await teaGuest('Mon');
  for (const a of monday) {
    const told = await notifications(a.ref);
    expect(told.map((n) => n.agent_number).sort()).toEqual([ROSA, BEN, ANA].sort());
    // In review, the template is no path yet; approved, it reaches everyone.
    for (const n of told) expect(n.path).toBe(p.templateReviewed ? 'skipped' : 'template');
  }
  await everyoneAccountedFor('Monday 09:00');
  // Rosa writes in: her window opens and the waiting visitors are offered to her (her unprefixed
  // greeting is held, nobody gets it); she and Ben answer.
  clock.advance(2 * MINUTE);
  const beforeRosa = p.delivered().length;
  await p.write(ROSA, p.pool[1]!, 'Good morning');
  if (p.templateReviewed) {
    // Nobody was reached (no window, the template in review): she is offered all ten at once.
    const offers = p
      .delivered()
      .slice(beforeRosa)
      .filter((d) => d.to === ROSA && d.text.startsWith('🙋'));
    expect(offers).toHaveLength(1);
    expect(offers[0]!.text).toMatch(/^🙋 10 visitors are waiting: /);
    for (const a of monday) expect(offers[0]!.text).toContain(`#${a.ref}`);
  }
  for (const a of monday.slice(0, 4)) await answer(AGENTS[0]!, a);
  for (const a of monday.slice(4, 6)) await answer(AGENTS[1]!, a);
  await everyoneAccountedFor('Monday 09:02');
  // Unclaimed past agentResponseMinutes (3): escalated once, still waiting; not before, and never a claimed one.
  const escalated = async () =>
    (
      await api.ctx.db
        .selectFrom('conversations')
        .select('ref')
        .where('organization_id', '=', org.id)
        .where('escalated_at', 'is not', null)
        .orderBy('ref')
        .execute()
    ).map((c) => c.ref);
  await sweepHandovers(api.ctx);
  await drain();
  expect(await escalated()).toEqual([]);
  clock.advance(MINUTE);
  await sweepHandovers(api.ctx);
  await drain();
  expect(await escalated()).toEqual(monday.slice(6).map((a) => a.ref));
  await everyoneAccountedFor('Monday 09:03');
  clock.set('2026-12-07T17:00:00Z');
  await sweepHandovers(api.ctx);
  await drain();
  await everyoneAccountedFor('Monday 17:00');

  // Tuesday: the template is approved; Rosa's and Ben's windows of Monday morning are still open.
  clock.set('2026-12-08T08:00:00Z');
  p.approveTemplates();
  await drain();
  expect(await templateStatus()).toEqual(['approved']);
  clock.set('2026-12-08T09:00:00Z');
  const tuesday = await burst('Tue');
  await teaGuest('Tue');
  for (const a of tuesday) {
    const told = await notifications(a.ref);
    for (const n of told) expect(n.path, `#${a.ref} to ${n.agent_number}`).not.toBe('skipped');
  }
  for (const a of tuesday.slice(0, 4)) await answer(AGENTS[1]!, a);
  for (const a of tuesday.slice(4, 7)) await answer(AGENTS[0]!, a);
  await everyoneAccountedFor('Tuesday 09:00');
  // Ben is removed while answering four visitors: they go to Rosa and Ana.
  const removed = await api.call('DELETE', `/api/organizations/${org.id}/agents/${ids[BEN]}`, { key: org.key });
  expect(removed.status).toBe(200);
  expect(removed.body.handedOff.map((h: { ref: number }) => h.ref)).toEqual(tuesday.slice(0, 4).map((a) => a.ref));
  benRemovedAt = p.delivered().length;
  await drain();
  for (const a of tuesday.slice(0, 4)) claimedBy.delete(a.ref);
  const left = tuesday[0]!;
  await left.visitor.say('hello? are you still there?');
  const forwarded = p.delivered().filter((d) => d.text.includes('hello? are you still there?'));
  // Rosa's window is open since Monday; Ana's closed since Saturday takes no free-form forward.
  expect(forwarded.map((d) => d.to)).toEqual([ROSA]);
  await answer(AGENTS[0]!, left);
  await everyoneAccountedFor('Tuesday 09:01');
  clock.advance(3 * MINUTE);
  await sweepHandovers(api.ctx);
  await drain();
  clock.set('2026-12-08T17:00:00Z');
  await sweepHandovers(api.ctx);
  await drain();
  await everyoneAccountedFor('Tuesday 17:00');

  // Wednesday: Rosa answers all ten, one after another; Ana still never does.
  clock.set('2026-12-09T09:00:00Z');
  const wednesday = await burst('Wed');
  await teaGuest('Wed');
  for (const a of wednesday) {
    clock.advance(MINUTE);
    await answer(AGENTS[0]!, a);
  }
  await everyoneAccountedFor('Wednesday 09:10');
  clock.set('2026-12-09T17:00:00Z');
  await sweepHandovers(api.ctx);
  await drain();
  await everyoneAccountedFor('Wednesday 17:00');

  // Friday: every window closed since Wednesday; the template reaches Rosa and Ana; escalation, then Rosa.
  clock.set('2026-12-11T09:00:00Z');
  const friday = await burst('Fri');
  await teaGuest('Fri');
  for (const a of friday) {
    const told = await notifications(a.ref);
    expect(told.map((n) => [n.agent_number, n.path]).sort()).toEqual(
      [
        [ANA, 'template'],
        [ROSA, 'template'],
      ].sort(),
    );
  }
  clock.advance(3 * MINUTE);
  await sweepHandovers(api.ctx);
  await drain();
  await everyoneAccountedFor('Friday 09:03');
  for (const a of friday.slice(0, 2)) await answer(AGENTS[0]!, a);
  await everyoneAccountedFor('Friday 09:04');
  clock.set('2026-12-11T18:00:00Z');
  await sweepHandovers(api.ctx);
  await drain();
  await everyoneAccountedFor('Friday 18:00');
  expect(asked).toHaveLength(40);
}

describe('a business week of handovers', () => {
  let phones: Phones | undefined;
  afterEach(async () => {
    await phones?.close();
    phones = undefined;
  });

  it('on Twilio (fake over HTTP, Content API review pending then approved)', async () => {
    phones = await twilioPhones();
    await businessWeek(phones);
  }, 60_000);

  it('on the simulator (the template approved at once)', async () => {
    phones = await simulatorPhones();
    await businessWeek(phones);
  }, 60_000);
});
