// The retention cases, run on SQLite (test/services/platform) and PostgreSQL (test/postgres): each
// builds old and recent rows of every kind retention looks at, then checks what is gone and what stays.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { NumberRow } from '../../src/db/schema.js';
import type { AppContext } from '../../src/services/context.js';
import { releaseAssignment, reassign } from '../../src/services/handover/senders.js';
import { runRetention } from '../../src/services/platform/retention.js';
import { keepFile } from '../../src/services/media/files.js';
import type { ManualClock } from '../../src/core/clock.js';
import type { TestContextOptions } from './context.js';
import { makeContact, makeConversation, makeInboundMessage, makeNumber, makeOrganization } from './factories.js';

type Ctx = AppContext & { clock: ManualClock };
const DAY_MS = 24 * 60 * 60 * 1000;

/** `make` builds a fresh context on the database under test; `done` closes it. */
export function retentionCases(make: (options: TestContextOptions) => Promise<Ctx>, done: (ctx: Ctx) => Promise<void>): void {
  describe('retention', () => {
    it('removes finished jobs, replayed or old unrouted events, released assignments, expired sessions, old rate-limit rows and decided suggestions; keeps the rest', async () => {
      const lines: string[] = [];
      const ctx = await make({ log: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }) });
      try {
        const kept = await seedEverything(ctx);
        const counts = await runRetention(ctx);
        expect(counts).toMatchObject({
          jobs: 2,
          unroutedEvents: 2,
          handoverAssignments: 1,
          handoverNotifications: 2,
          dashboardSessions: 1,
          rateLimits: 1,
          knowledgeSuggestions: 2,
          expiredPicks: 2,
          messages: 0,
          widgetSessions: 0,
        });

        expect(await ids(ctx, 'jobs')).toEqual(kept.jobs.sort());
        expect(await ids(ctx, 'unrouted_events')).toEqual(kept.unrouted.sort());
        expect(await ids(ctx, 'handover_assignments')).toEqual(kept.assignments.sort());
        expect((await ctx.db.selectFrom('handover_notifications').select('assignment_id').execute()).map((n) => n.assignment_id).sort()).toEqual(
          kept.notifiedAssignments.sort(),
        );
        expect((await ctx.db.selectFrom('dashboard_sessions').select('token_hash').execute()).map((s) => s.token_hash)).toEqual(['valid']);
        expect((await ctx.db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key)).toEqual(['current']);
        expect(await ids(ctx, 'knowledge_suggestions')).toEqual(kept.suggestions.sort());
        expect(await ctx.db.selectFrom('answer_choices').select('conversation_id').execute()).toEqual([{ conversation_id: kept.offeredChoices }]);
        expect(await ctx.db.selectFrom('held_agent_messages').select('agent_number').execute()).toEqual([{ agent_number: '+14155550112' }]);
        // MESSAGE_RETENTION_DAYS unset: a year-old message of a closed conversation stays, with its file.
        expect(await ids(ctx, 'messages')).toEqual([kept.oldMessage].sort());
        expect(await ctx.db.selectFrom('message_media').select('message_id').execute()).toEqual([{ message_id: kept.oldMessage }]);

        const said = lines.map((l) => JSON.parse(l) as { msg: string; removed?: Record<string, number> }).filter((l) => l.msg === 'retention removed old rows');
        expect(said).toHaveLength(1);
        expect(said[0]!.removed).toMatchObject({ jobs: 2, unroutedEvents: 2, handoverAssignments: 1 });
        expect(said[0]!.removed).not.toHaveProperty('messages');

        // Nothing more to remove: no second line.
        const again = await runRetention(ctx);
        expect(Object.values(again).every((n) => n === 0)).toBe(true);
        expect(lines.filter((l) => l.includes('retention removed old rows'))).toHaveLength(1);
      } finally {
        await done(ctx);
      }
    });

    it('with MESSAGE_RETENTION_DAYS, removes old messages of closed conversations with their files, and idle visitor sessions', async () => {
      const ctx = await make({ env: { MESSAGE_RETENTION_DAYS: '30' } });
      try {
        const org = await makeOrganization(ctx);
        const number = await makeNumber(ctx, { organization_id: org.id });
        const widgetId = await makeWidget(ctx, org.id);

        const old = await daysAgo(ctx, 40, async () => {
          const closed = await whatsappConversation(ctx, org.id, 'closed');
          const open = await whatsappConversation(ctx, org.id, 'agent');
          const visitor = await visitorWithConversation(ctx, org.id, widgetId, 'closed');
          const waiting = await visitorWithConversation(ctx, org.id, widgetId, 'waiting_agent');
          const withFile = await makeInboundMessage(ctx, number, { from: '+15550001', body: null, conversationId: closed.id, media: { type: 'image' } });
          const copyKey = await storeMediaCopy(ctx, withFile.id, org.id);
          const plain = await makeInboundMessage(ctx, number, { from: '+15550001', body: 'old question', conversationId: closed.id });
          const ofOpen = await makeInboundMessage(ctx, number, { from: '+15550002', body: 'still talking', conversationId: open.id });
          const uploaded = await visitorMessageWithUpload(ctx, number, visitor);
          return { visitor, waiting, withFile, plain, ofOpen, uploaded, copyKey };
        });
        const recentOfClosed = await daysAgo(ctx, 5, async () => {
          const closed = await whatsappConversation(ctx, org.id, 'closed');
          return makeInboundMessage(ctx, number, { from: '+15550003', body: 'recent', conversationId: closed.id });
        });

        const counts = await runRetention(ctx);
        expect(counts).toMatchObject({ messages: 3, messageFiles: 1, widgetUploads: 1, widgetSessions: 1 });
        expect(await ids(ctx, 'messages')).toEqual([old.ofOpen.id, recentOfClosed.id].sort());
        expect(await ctx.db.selectFrom('message_media').select('id').execute()).toEqual([]);
        expect(await ctx.db.selectFrom('widget_uploads').select('id').execute()).toEqual([]);
        // The stored files go with their rows: none is left in the media store.
        expect(await ctx.media.get(old.copyKey)).toBeUndefined();
        expect(await ctx.media.get(old.uploaded.key)).toBeUndefined();
        // The visitor still waiting for an agent keeps their session, however long ago they were seen.
        expect(await ids(ctx, 'widget_sessions')).toEqual([old.waiting.sessionId]);
        // Conversations and contacts stay: the inbox keeps the conversation, without its old messages.
        expect(await ctx.db.selectFrom('conversations').select('id').where('id', '=', old.visitor.conversationId).execute()).toHaveLength(1);
      } finally {
        await done(ctx);
      }
    });
  });
}

/** Runs `build` with the clock `days` days back, then puts the clock back. */
async function daysAgo<T>(ctx: Ctx, days: number, build: () => Promise<T>): Promise<T> {
  const now = ctx.clock.now();
  ctx.clock.set(new Date(now.getTime() - days * DAY_MS));
  try {
    return await build();
  } finally {
    ctx.clock.set(now);
  }
}

const iso = (ctx: Ctx, days: number) => new Date(ctx.clock.now().getTime() - days * DAY_MS).toISOString();

async function ids(ctx: Ctx, table: 'jobs' | 'unrouted_events' | 'handover_assignments' | 'knowledge_suggestions' | 'messages' | 'widget_sessions') {
  const rows = (await ctx.db.selectFrom(table).select('id').execute()) as Array<{ id: string | number }>;
  return rows.map((r) => r.id).sort();
}

async function seedEverything(ctx: Ctx) {
  const job = async (status: string, updatedDaysAgo: number, attempts = 1) => {
    const row = await ctx.db
      .insertInto('jobs')
      .values({
        kind: 'test.kind',
        payload: '{}',
        status,
        run_at: iso(ctx, updatedDaysAgo),
        attempts,
        max_attempts: 40,
        last_error: status === 'pending' ? 'provider down, retrying' : null,
        locked_by: status === 'running' ? 'instance-1' : null,
        locked_at: status === 'running' ? iso(ctx, updatedDaysAgo) : null,
        idempotency_key: null,
        created_at: iso(ctx, updatedDaysAgo + 1),
        updated_at: iso(ctx, updatedDaysAgo),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  await job('done', 10);
  await job('failed', 10);
  const jobs = [await job('done', 2), await job('pending', 30, 3), await job('running', 30)];

  const unrouted = async (receivedDaysAgo: number, replayedDaysAgo: number | null) => {
    const row = await ctx.db
      .insertInto('unrouted_events')
      .values({
        provider: 'twilio',
        reason: 'No number is assigned.',
        payload: 'Body=hi',
        headers: null,
        received_at: iso(ctx, receivedDaysAgo),
        replayed_at: replayedDaysAgo === null ? null : iso(ctx, replayedDaysAgo),
        message_id: null,
        verified_by: 'platform',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  };
  await unrouted(12, 10);
  await unrouted(40, null);
  const unroutedKept = [await unrouted(3, 1), await unrouted(5, null)];

  const org = await makeOrganization(ctx);
  // Assignments made and released as the product does it (handover/senders.ts), each with two agents notified.
  const assigned = async (conversationId: string, assignedDaysAgo: number) => {
    const id = await daysAgo(ctx, assignedDaysAgo, () => reassign(ctx, { id: conversationId, widget_id: null }, '+14155550100'));
    for (const agent of ['+14155550111', '+14155550112']) {
      await ctx.db
        .insertInto('handover_notifications')
        .values({
          id: randomUUID(),
          conversation_id: conversationId,
          assignment_id: id,
          agent_number: agent,
          path: 'free_form',
          number_id: null,
          sender: '+14155550100',
          message_id: null,
          reason: null,
          failed_at: null,
          created_at: iso(ctx, assignedDaysAgo),
        })
        .execute();
    }
    return id;
  };
  const closedLongAgo = await whatsappConversation(ctx, org.id, 'closed');
  await assigned(closedLongAgo.id, 120);
  await daysAgo(ctx, 100, () => releaseAssignment(ctx, closedLongAgo.id));
  // A sender released long ago while the conversation went on from another: a person still has it.
  const stillWithAgent = await whatsappConversation(ctx, org.id, 'agent');
  const firstSender = await assigned(stillWithAgent.id, 120);
  const secondSender = await assigned(stillWithAgent.id, 100);
  const closedRecently = await whatsappConversation(ctx, org.id, 'closed');
  const recent = await assigned(closedRecently.id, 12);
  await daysAgo(ctx, 10, () => releaseAssignment(ctx, closedRecently.id));
  const assignments = [firstSender, secondSender, recent];

  for (const [token, expiresDaysAgo] of [
    ['expired', 1],
    ['valid', -3],
  ] as const) {
    await ctx.db
      .insertInto('dashboard_sessions')
      .values({ token_hash: token, principal: 'platform', key_hash: 'k', created_at: iso(ctx, expiresDaysAgo + 7), expires_at: iso(ctx, expiresDaysAgo) })
      .execute();
  }
  const minute = Math.floor(ctx.clock.now().getTime() / 60_000);
  await ctx.db
    .insertInto('rate_limits')
    .values([
      { scope: 'address', key: 'old', minute: minute - 2 * 24 * 60, count: 3 },
      { scope: 'address', key: 'current', minute, count: 1 },
    ])
    .execute();

  const conversation = await whatsappConversation(ctx, org.id, 'closed');
  const suggestion = async (status: 'awaiting' | 'pending' | 'accepted' | 'dismissed', daysBack: number) => {
    const id = randomUUID();
    await ctx.db
      .insertInto('knowledge_suggestions')
      .values({
        id,
        organization_id: org.id,
        conversation_id: conversation.id,
        question: 'Do you ship abroad?',
        answer: status === 'awaiting' ? null : 'Yes, to the EU.',
        status,
        document_id: null,
        created_at: iso(ctx, daysBack),
        answered_at: status === 'awaiting' ? null : iso(ctx, daysBack),
        decided_at: status === 'accepted' || status === 'dismissed' ? iso(ctx, daysBack) : null,
        wrong_answer: null,
      })
      .execute();
    return id;
  };
  await suggestion('accepted', 100);
  await suggestion('dismissed', 100);
  const suggestions = [await suggestion('pending', 100), await suggestion('awaiting', 100), await suggestion('dismissed', 10)];

  const number = await makeNumber(ctx, { organization_id: org.id });
  // Offered choices and a held agent message: one of each expired a minute ago, one still open.
  const offer = async (conversationId: string, expiresInMinutes: number) => {
    const expires_at = new Date(ctx.clock.now().getTime() + expiresInMinutes * 60_000).toISOString();
    await ctx.db.insertInto('answer_choices').values({ conversation_id: conversationId, organization_id: org.id, choices: '[]', expires_at }).execute();
  };
  await offer(conversation.id, -1);
  const offeredChoices = (await whatsappConversation(ctx, org.id, 'bot')).id;
  await offer(offeredChoices, 10);
  for (const [agent, expiresInMinutes] of [
    ['+14155550111', -1],
    ['+14155550112', 10],
  ] as const) {
    await ctx.db
      .insertInto('held_agent_messages')
      .values({
        agent_number: agent,
        number_id: number.id,
        message_id: 1,
        text: 'on my way',
        choices: '[]',
        expires_at: new Date(ctx.clock.now().getTime() + expiresInMinutes * 60_000).toISOString(),
      })
      .execute();
  }
  const oldMessage = await daysAgo(ctx, 365, async () => {
    const closed = await whatsappConversation(ctx, org.id, 'closed');
    const message = await makeInboundMessage(ctx, number, { from: '+15550009', body: null, conversationId: closed.id, media: { type: 'image' } });
    await storeMediaCopy(ctx, message.id, org.id);
    return message.id;
  });

  return { jobs, unrouted: unroutedKept, assignments, notifiedAssignments: assignments.flatMap((a) => [a, a]), suggestions, offeredChoices, oldMessage };
}

async function whatsappConversation(ctx: Ctx, organizationId: string, status: string) {
  const contact = await makeContact(ctx, { organization_id: organizationId });
  return makeConversation(ctx, {
    organization_id: organizationId,
    contact_id: contact.id,
    status,
    closed_at: status === 'closed' ? ctx.clock.now().toISOString() : null,
  });
}

async function makeWidget(ctx: Ctx, organizationId: string): Promise<string> {
  const id = randomUUID();
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .insertInto('widgets')
    .values({
      id,
      organization_id: organizationId,
      public_key: `pk_${id}`,
      name: 'Shop',
      allowed_origins: '[]',
      greeting: null,
      settings: '{}',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

async function visitorWithConversation(ctx: Ctx, organizationId: string, widgetId: string, status: string) {
  const sessionId = `visitor_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const contact = await makeContact(ctx, { organization_id: organizationId, kind: 'visitor', phone: null, external_id: sessionId });
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .insertInto('widget_sessions')
    .values({
      id: sessionId,
      widget_id: widgetId,
      organization_id: organizationId,
      contact_id: contact.id,
      token_hash: 'h',
      visitor_name: null,
      created_at: now,
      last_seen_at: now,
    })
    .execute();
  const conversation = await makeConversation(ctx, {
    organization_id: organizationId,
    contact_id: contact.id,
    channel: 'widget',
    widget_id: widgetId,
    status,
    closed_at: status === 'closed' ? now : null,
  });
  return { sessionId, conversationId: conversation.id };
}

/** A media copy kept in the store (not in its row), as services/inbound/media.ts keeps one: answers its key. */
async function storeMediaCopy(ctx: Ctx, messageId: number, organizationId: string): Promise<string> {
  const key = await keepFile(ctx, 'inbound', Buffer.from([1, 2, 3]), 'image/png');
  await ctx.db
    .insertInto('message_media')
    .values({
      id: randomUUID(),
      message_id: messageId,
      organization_id: organizationId,
      mime_type: 'image/png',
      filename: null,
      size: 3,
      bytes: Buffer.alloc(0),
      storage_key: key,
      created_at: ctx.clock.now().toISOString(),
    })
    .execute();
  return key;
}

/** A message carrying a file the visitor attached, named in its media as widgets/uploads.ts names it. */
async function visitorMessageWithUpload(ctx: Ctx, number: NumberRow, visitor: { sessionId: string; conversationId: string }) {
  const uploadId = randomUUID();
  const key = await keepFile(ctx, 'uploads', Buffer.from('%PDF'), 'application/pdf');
  await ctx.db
    .insertInto('widget_uploads')
    .values({
      id: uploadId,
      session_id: visitor.sessionId,
      filename: 'receipt.pdf',
      mime_type: 'application/pdf',
      bytes: Buffer.alloc(0),
      storage_key: key,
      size: 4,
      created_at: ctx.clock.now().toISOString(),
    })
    .execute();
  const media = { type: 'document', url: `${ctx.config.publicUrl}/api/widget/uploads/${uploadId}`, mimeType: 'application/pdf', filename: 'receipt.pdf' };
  return { key, message: await makeInboundMessage(ctx, number, { from: visitor.sessionId, body: null, conversationId: visitor.conversationId, media }) };
}
