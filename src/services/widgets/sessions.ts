// Visitor sessions of a widget: a `visitor_…` id, a bearer token stored only as a hash, and a
// `contacts` row (kind `visitor`, external id = session id) so that the visitor is an ordinary
// contact of the organization's inbox.
import { randomBytes, randomUUID } from 'node:crypto';
import { notFound, unauthorized } from '../../core/errors.js';
import { hashSecret, newSecret, safeEqual } from '../../core/keys.js';
import { isWithinWorkingHours, nextOpening } from '../../core/working-hours.js';
import type { Contact, Conversation, Widget, WidgetSession } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { openConversationFor } from '../conversations/conversations.js';
import { findWidgetByPublicKey, readWidgetSettings } from './settings.js';

export const SESSION_PREFIX = 'visitor_';

export function isSessionId(value: string): boolean {
  return /^visitor_[0-9a-f]{16,32}$/.test(value);
}

/** What the widget script needs to draw itself; nothing secret (agents' numbers stay private). */
export function widgetAppearance(ctx: AppContext, widget: Widget) {
  const settings = readWidgetSettings(widget);
  const now = ctx.clock.now();
  const online = isWithinWorkingHours(settings.workingHours, now);
  return {
    name: widget.name,
    title: settings.title ?? widget.name,
    greeting: widget.greeting,
    colors: settings.colors,
    online,
    offlineMessage: online
      ? null
      : (settings.offlineMessage ??
        `Our team is away right now and back ${nextOpening(settings.workingHours!, now)}. Leave your email and we will write back.`),
  };
}

export async function createSession(ctx: AppContext, publicKey: string, input: { visitorName?: string | null }) {
  const widget = await findWidgetByPublicKey(ctx, publicKey);
  if (!widget) throw notFound('Widget');
  const now = ctx.clock.now().toISOString();
  const sessionId = `${SESSION_PREFIX}${randomBytes(8).toString('hex')}`;
  const token = newSecret('vst_');
  const visitorName = input.visitorName?.trim() || null;
  await ctx.db.transaction().execute(async (trx) => {
    const contactId = randomUUID();
    // Numbered within the organization, so a visitor without a name is `Visitor 3` to agents.
    const numbered = await trx
      .updateTable('organizations')
      .set((eb) => ({ last_visitor_number: eb('last_visitor_number', '+', 1) }))
      .where('id', '=', widget.organization_id)
      .returning('last_visitor_number')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('contacts')
      .values({
        id: contactId,
        organization_id: widget.organization_id,
        kind: 'visitor',
        phone: null,
        external_id: sessionId,
        name: visitorName,
        email: null,
        visitor_number: numbered.last_visitor_number,
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('widget_sessions')
      .values({
        id: sessionId,
        widget_id: widget.id,
        organization_id: widget.organization_id,
        contact_id: contactId,
        token_hash: hashSecret(token),
        visitor_name: visitorName,
        created_at: now,
        last_seen_at: now,
      })
      .execute();
  });
  return { sessionId, token, widget: widgetAppearance(ctx, widget) };
}

export interface AuthenticatedSession {
  session: WidgetSession;
  widget: Widget;
}

/**
 * The session the token opens. No token → 401; an unknown session, a token of another session, or a
 * session of another widget than `publicKey` (when the widget says which it is) → 404, so that a
 * session id reveals nothing to whoever does not hold its token.
 */
export async function authenticateSession(ctx: AppContext, sessionId: string, token: string | undefined, publicKey?: string): Promise<AuthenticatedSession> {
  if (!token) throw unauthorized('This session needs its token (Authorization: Bearer <token>).');
  const found = await findSession(ctx, sessionId);
  if (!found || !safeEqual(hashSecret(token), found.session.token_hash)) throw notFound('Session');
  if (publicKey && publicKey !== found.widget.public_key) throw notFound('Session');
  return found;
}

/** The session and its widget without checking a token (CORS preflight needs the origins only). */
export async function findSession(ctx: AppContext, sessionId: string): Promise<AuthenticatedSession | undefined> {
  if (!isSessionId(sessionId)) return undefined;
  const session = await ctx.db.selectFrom('widget_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  if (!session) return undefined;
  const widget = await ctx.db.selectFrom('widgets').selectAll().where('id', '=', session.widget_id).executeTakeFirst();
  return widget ? { session, widget } : undefined;
}

export async function sessionContact(ctx: AppContext, session: WidgetSession): Promise<Contact> {
  return ctx.db.selectFrom('contacts').selectAll().where('id', '=', session.contact_id).executeTakeFirstOrThrow();
}

/** The visitor's current conversation, if any (the newest one, open or closed). */
export async function latestConversation(ctx: AppContext, session: WidgetSession): Promise<Conversation | undefined> {
  return ctx.db
    .selectFrom('conversations')
    .selectAll()
    .where('contact_id', '=', session.contact_id)
    .orderBy('created_at', 'desc')
    .orderBy('ref', 'desc')
    .executeTakeFirst();
}

/** The open widget conversation of the visitor; a new one (new `#ref`) after a close. */
export async function visitorConversation(ctx: AppContext, { session, widget }: AuthenticatedSession): Promise<Conversation> {
  return openConversationFor(ctx, {
    organizationId: session.organization_id,
    contactId: session.contact_id,
    channel: 'widget',
    widgetId: widget.id,
  });
}

export async function touchSession(ctx: AppContext, session: WidgetSession): Promise<void> {
  await ctx.db.updateTable('widget_sessions').set({ last_seen_at: ctx.clock.now().toISOString() }).where('id', '=', session.id).execute();
}

/** Outside working hours the visitor may leave an address; it is kept on the contact. */
export async function saveVisitorEmail(ctx: AppContext, session: WidgetSession, email: string): Promise<void> {
  await ctx.db.updateTable('contacts').set({ email }).where('id', '=', session.contact_id).execute();
}

/** The name a visitor gave before a handover: on the contact (notifications, lists) and the session. */
export async function saveVisitorName(ctx: AppContext, session: WidgetSession, name: string): Promise<void> {
  await ctx.db.updateTable('contacts').set({ name }).where('id', '=', session.contact_id).execute();
  await ctx.db.updateTable('widget_sessions').set({ visitor_name: name }).where('id', '=', session.id).execute();
}

/** The session as the widget sees it after a page reload. */
export async function sessionView(ctx: AppContext, found: AuthenticatedSession) {
  const contact = await sessionContact(ctx, found.session);
  const conversation = await latestConversation(ctx, found.session);
  return {
    sessionId: found.session.id,
    visitorName: contact.name,
    email: contact.email,
    conversation: conversation ? { ref: conversation.ref, status: conversation.status } : null,
    widget: widgetAppearance(ctx, found.widget),
  };
}
