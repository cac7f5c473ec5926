// Deleting a widget, with what it does said first (the dashboard's confirmation) and again after:
// the chat disappears from its sites, its open chats are closed first (the visitor and any agent
// told, while the widget and its numbers still exist), its visitors' sessions and its pool go with
// it; its conversations stay in the inbox.
import { humanHasIt } from '../../core/status.js';
import { widgetRemovalText } from '../../core/removal-text.js';
import type { Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { closeConversation } from '../conversations/conversations.js';
import { deleteWidget, readAllowedOrigins } from '../widgets/settings.js';
import { closeHandover } from './close.js';

export interface WidgetRemoval {
  widget: { id: string; name: string; allowedOrigins: string[] };
  /** open chats closed (references) */
  openChats: number[];
  visitorSessions: number;
  poolNumbers: number;
  summary: string;
}

async function openChatsOf(ctx: AppContext, widget: Widget) {
  return ctx.db
    .selectFrom('conversations')
    .selectAll()
    .where('widget_id', '=', widget.id)
    .where('organization_id', '=', widget.organization_id)
    .where('status', '!=', 'closed')
    .orderBy('ref')
    .execute();
}

/** `GET /api/widgets/:id/removal`: what deleting it would do; nothing changes. */
export async function previewWidgetRemoval(ctx: AppContext, widget: Widget): Promise<WidgetRemoval> {
  const count = async (table: 'widget_sessions' | 'pool_numbers') =>
    Number(
      (
        await ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('widget_id', '=', widget.id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const origins = readAllowedOrigins(widget);
  const openChats = (await openChatsOf(ctx, widget)).map((c) => c.ref);
  const visitorSessions = await count('widget_sessions');
  const poolNumbers = await count('pool_numbers');
  return {
    widget: { id: widget.id, name: widget.name, allowedOrigins: origins },
    openChats,
    visitorSessions,
    poolNumbers,
    summary: widgetRemovalText({ name: widget.name, origins, openChats, visitorSessions, poolNumbers }),
  };
}

/** `DELETE /api/widgets/:id`: closes its open chats, then deletes it; answers what it did. */
export async function removeWidget(ctx: AppContext, widget: Widget): Promise<WidgetRemoval> {
  const removal = await previewWidgetRemoval(ctx, widget);
  // Those in line first, so closing a chat that held a number connects nobody of this widget.
  const open = (await openChatsOf(ctx, widget)).sort((a, b) => Number(Boolean(a.assigned_whatsapp_number)) - Number(Boolean(b.assigned_whatsapp_number)));
  for (const conversation of open) {
    if (humanHasIt(conversation.status)) await closeHandover(ctx, conversation.id, { by: 'inbox' });
    else await closeConversation(ctx, conversation);
  }
  await deleteWidget(ctx, widget);
  return removal;
}
