// What every part of the handover needs: a conversation seen as a handover (widget, settings,
// visitor), the business numbers it may send from, and sending to an agent's own WhatsApp with the
// 24-hour window respected (the widget's template outside it, a recorded failure without one).
import type { Db } from '../../db/database.js';
import type { Conversation, NumberRow, Widget } from '../../db/schema.js';
import { visitorLabel } from '../../core/handover-text.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { enqueueSend, type SendRequest, serviceWindowOpen } from '../outbound/send.js';
import { readWidgetSettings, type WidgetSettings } from '../widgets/settings.js';

export interface Handover {
  conversation: Conversation;
  widget: Widget;
  settings: WidgetSettings;
  /** the widget's agents who accepted (SPEC §8 Agents): the only ones notified, the only ones who reach the visitor */
  agents: string[];
  /** the visitor's name, or `Visitor 3` (numbered within the organization) */
  visitorName: string;
  organizationName: string;
  sessionId: string;
  ref: number;
}

/** The conversation with its widget and visitor; undefined for a conversation that is not a widget's. */
export async function loadHandover(ctx: AppContext, conversationId: string): Promise<Handover | undefined> {
  return (await loadHandovers(ctx, [conversationId]))[0];
}

/** Several at once, in three queries whatever their number (an agent's `/list`, reply routing). */
export async function loadHandovers(ctx: AppContext, conversationIds: string[]): Promise<Handover[]> {
  if (conversationIds.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('conversations as c')
    .innerJoin('contacts as p', 'p.id', 'c.contact_id')
    .selectAll('c')
    .innerJoin('organizations as o', 'o.id', 'c.organization_id')
    .select(['p.name as contact_name', 'p.visitor_number', 'p.external_id as session_id', 'o.name as organization_name'])
    .where('c.id', 'in', conversationIds)
    .where('c.widget_id', 'is not', null)
    .execute();
  const widgetIds = [...new Set(rows.map((r) => r.widget_id!))];
  const widgets = widgetIds.length ? await ctx.db.selectFrom('widgets').selectAll().where('id', 'in', widgetIds).execute() : [];
  const organizationIds = [...new Set(widgets.map((w) => w.organization_id))];
  const active = organizationIds.length
    ? await ctx.db
        .selectFrom('agents')
        .select(['organization_id', 'number'])
        .where('organization_id', 'in', organizationIds)
        .where('status', '=', 'active')
        .execute()
    : [];
  const order = new Map(conversationIds.map((id, i) => [id, i]));
  return rows
    .flatMap(({ contact_name, visitor_number, session_id, organization_name, ...conversation }) => {
      const widget = widgets.find((w) => w.id === conversation.widget_id);
      if (!widget) return [];
      const settings = readWidgetSettings(widget);
      const agents = settings.agentWhatsappNumbers.filter((n) => active.some((a) => a.organization_id === widget.organization_id && a.number === n));
      return [
        {
          conversation,
          widget,
          settings,
          agents,
          visitorName: visitorLabel(contact_name, visitor_number),
          organizationName: organization_name,
          sessionId: session_id ?? '',
          ref: conversation.ref,
        },
      ];
    })
    .sort((a, b) => order.get(a.conversation.id)! - order.get(b.conversation.id)!);
}

/**
 * Who hears about a conversation: the agent who claimed it, or every active agent of the widget
 * before that. An agent who stopped (STOP AGENT) hears nothing more.
 */
export function agentsOf(conversation: Pick<Conversation, 'agent_number'>, handover: Pick<Handover, 'agents'>): string[] {
  if (!conversation.agent_number) return handover.agents;
  return handover.agents.includes(conversation.agent_number) ? [conversation.agent_number] : [];
}

/**
 * The number row behind an E.164 sender, when this organization may send from it: its own, or a
 * platform number. Another organization's number is never lent to a widget.
 */
export async function findSenderNumber(db: Db, organizationId: string, phone: string): Promise<NumberRow | undefined> {
  const rows = await db
    .selectFrom('numbers')
    .selectAll()
    .where('phone_number', '=', phone)
    .where((eb) => eb.or([eb('organization_id', '=', organizationId), eb('organization_id', 'is', null)]))
    .execute();
  return rows.find((n) => n.organization_id === organizationId) ?? rows[0];
}

export interface AgentMessage {
  sender: NumberRow;
  agent: string;
  organizationId: string;
  conversationId: string | null;
  text: string;
  media?: SendRequest['media'];
  /** sent instead of the text when the agent is outside the sender's 24-hour window */
  template?: SendRequest['template'];
  /** the same key twice sends once (job retries, a repeated request) */
  idempotencyKey: string;
}

/**
 * Sends to an agent's phone. Outside the sender's 24-hour window the widget's template goes
 * instead; without one, outbound records the message as failed with the window error and this
 * returns false.
 */
export async function sendToAgent(ctx: AppContext, message: AgentMessage): Promise<boolean> {
  const windowClosed = providerByName(message.sender.provider)?.hasServiceWindow && !(await serviceWindowOpen(ctx, message.sender.id, message.agent));
  const content =
    windowClosed && message.template ? { template: message.template, category: 'utility' as const } : { text: message.text, media: message.media };
  const { messageId } = await enqueueSend(ctx, {
    organizationId: message.organizationId,
    conversationId: message.conversationId,
    numberId: message.sender.id,
    to: message.agent,
    ...content,
    author: 'system',
    audience: 'agent',
    idempotencyKey: message.idempotencyKey,
  });
  const sent = await ctx.db.selectFrom('messages').select('error_code').where('id', '=', messageId).executeTakeFirstOrThrow();
  return sent.error_code !== 'WINDOW_CLOSED';
}
