// The handover model: a conversation seen as a handover (widget, settings, visitor — or a WhatsApp
// customer, who has no widget), who its agents are, the business numbers it may send from, and
// sending a free-form message to an agent's own WhatsApp (a notification's path, template or
// another number, is chosen in notify.ts).
import type { Db } from '../../db/database.js';
import type { Conversation, NumberRow, Widget } from '../../db/schema.js';
import { customerLabel, visitorLabel } from '../../core/handover-text.js';
import type { AppContext } from '../context.js';
import { enqueueSend, type SendRequest } from '../outbound/send.js';
import { readWidgetSettings, readWidgetSettingsText, type WidgetSettings, widgetSettingsSchema } from '../widgets/settings.js';

export interface Handover {
  conversation: Conversation;
  /** the widget the visitor chats in; null for a WhatsApp customer who asked for a person */
  widget: Widget | null;
  /** the widget's settings; a WhatsApp customer's handover has the defaults (30 minutes' inactivity, no template) */
  settings: WidgetSettings;
  /**
   * who answers it, all of whom accepted (SPEC §8 Agents): the widget's active agents (and the
   * organization's agents it was escalated to), or every active agent of the organization for a
   * WhatsApp customer. The only ones notified, the only ones who reach the customer.
   */
  agents: string[];
  /** the visitor's name, or `Visitor 3` (numbered within the organization); a WhatsApp customer's profile name, or number */
  visitorName: string;
  organizationName: string;
  /** the visitor's session id; null for a WhatsApp customer */
  sessionId: string | null;
  /** a WhatsApp customer's number (or username); null for a visitor */
  customerAddress: string | null;
  ref: number;
}

const WHATSAPP_SETTINGS = widgetSettingsSchema.parse({});

/** The conversation with its widget and visitor (or WhatsApp customer); undefined for an unknown id. */
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
    .select(['p.name as contact_name', 'p.visitor_number', 'p.external_id', 'p.phone as contact_phone', 'o.name as organization_name'])
    .where('c.id', 'in', conversationIds)
    .execute();
  const widgetIds = [...new Set(rows.flatMap((r) => (r.widget_id ? [r.widget_id] : [])))];
  const widgets = widgetIds.length ? await ctx.db.selectFrom('widgets').selectAll().where('id', 'in', widgetIds).execute() : [];
  const active = await activeAgentsByOrganization(
    ctx.db,
    rows.map((r) => r.organization_id),
  );
  // Agents told of a conversation beyond its widget's (escalation) answer it too, while active.
  const notified = await ctx.db
    .selectFrom('handover_notifications')
    .select(['conversation_id', 'agent_number'])
    .distinct()
    .where('conversation_id', 'in', conversationIds)
    .where('path', '!=', 'skipped')
    .execute();
  const alsoTold = (conversationId: string, organizationAgents: string[]) =>
    notified.filter((n) => n.conversation_id === conversationId && organizationAgents.includes(n.agent_number)).map((n) => n.agent_number);
  const order = new Map(conversationIds.map((id, i) => [id, i]));
  return rows
    .flatMap(({ contact_name, visitor_number, external_id, contact_phone, organization_name, ...conversation }): Handover[] => {
      const organizationAgents = active.get(conversation.organization_id) ?? [];
      const common = { conversation, organizationName: organization_name, ref: conversation.ref };
      if (!conversation.widget_id) {
        if (conversation.channel !== 'whatsapp') return [];
        const address = contact_phone ?? external_id;
        return [
          {
            ...common,
            widget: null,
            settings: WHATSAPP_SETTINGS,
            agents: organizationAgents,
            visitorName: customerLabel(contact_name, address),
            sessionId: null,
            customerAddress: address,
          },
        ];
      }
      const widget = widgets.find((w) => w.id === conversation.widget_id);
      if (!widget) return [];
      const settings = readWidgetSettings(widget);
      return [
        {
          ...common,
          widget,
          settings,
          agents: [
            ...new Set([...settings.agentWhatsappNumbers.filter((n) => organizationAgents.includes(n)), ...alsoTold(conversation.id, organizationAgents)]),
          ],
          visitorName: visitorLabel(contact_name, visitor_number),
          sessionId: external_id ?? '',
          customerAddress: null,
        },
      ];
    })
    .sort((a, b) => order.get(a.conversation.id)! - order.get(b.conversation.id)!);
}

/** Each organization's active agents, in the order they were added. */
export async function activeAgentsByOrganization(db: Db, organizationIds: string[]): Promise<Map<string, string[]>> {
  const ids = [...new Set(organizationIds)];
  const rows = ids.length
    ? await db
        .selectFrom('agents')
        .select(['organization_id', 'number'])
        .where('organization_id', 'in', ids)
        .where('status', '=', 'active')
        .orderBy('created_at')
        .orderBy('number')
        .execute()
    : [];
  const byOrganization = new Map<string, string[]>();
  for (const r of rows) byOrganization.set(r.organization_id, [...(byOrganization.get(r.organization_id) ?? []), r.number]);
  return byOrganization;
}

/**
 * Who each open conversation involves, for "is this agent busy on this sender": the agent who took
 * it, else everyone it waits for — a widget's listed agents, a WhatsApp customer's organization's
 * active agents. Counting too many only costs a `#282:` prefix; too few would tell an agent to
 * "reply in this chat" where that reply could mean two conversations.
 */
export async function involvedAgents(
  db: Db,
  open: Array<{ organization_id: string; agent_number: string | null; settings: string | null }>,
): Promise<string[][]> {
  const whatsapp = await activeAgentsByOrganization(
    db,
    open.filter((c) => !c.agent_number && c.settings === null).map((c) => c.organization_id),
  );
  return open.map((c) => {
    if (c.agent_number) return [c.agent_number];
    return c.settings === null ? (whatsapp.get(c.organization_id) ?? []) : readWidgetSettingsText(c.settings).agentWhatsappNumbers;
  });
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
  /** the same key twice sends once (job retries, a repeated request) */
  idempotencyKey: string;
}

/**
 * Sends free-form to an agent's phone. Outside the sender's 24-hour window outbound records the
 * message as failed with the window error, and this returns false.
 */
export async function sendToAgent(ctx: AppContext, message: AgentMessage): Promise<boolean> {
  const { messageId } = await enqueueSend(ctx, {
    organizationId: message.organizationId,
    conversationId: message.conversationId,
    numberId: message.sender.id,
    to: message.agent,
    text: message.text,
    media: message.media,
    author: 'system',
    audience: 'agent',
    idempotencyKey: message.idempotencyKey,
  });
  const sent = await ctx.db.selectFrom('messages').select('error_code').where('id', '=', messageId).executeTakeFirstOrThrow();
  return sent.error_code !== 'WINDOW_CLOSED';
}
