// `ACCEPT <code>` and `STOP AGENT`, written by an agent from their own phone to a sender the
// organization may use. Acceptance is the agent's consent: from then on handed-over chats of the
// organization's widgets that list them reach that phone, and their replies reach visitors.
import { parseAgentCommand } from '../../core/agent-reply.js';
import { toE164 } from '../../core/phone.js';
import type { Message, NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { enqueueSend } from '../outbound/send.js';
import { countAttempt } from '../rate-limits.js';

/** True when the message was an agent command and has been answered (every ACCEPT is); false leaves it an ordinary message. */
export async function handleAgentCommand(ctx: AppContext, message: Message, number: NumberRow): Promise<boolean> {
  const command = parseAgentCommand(message.body);
  const phone = message.from_address ? toE164(message.from_address) : undefined;
  if (!command || !phone) return false;
  return command.kind === 'accept' ? accept(ctx, message, number, phone, command.code) : stop(ctx, message, number, phone);
}

/** ACCEPT attempts a phone may make per window (15 minutes, RATE_LIMIT_WINDOWS); past them it hears once that it must wait, then nothing. */
const ACCEPTS_PER_WINDOW = 5;

/**
 * The answer to a code that activates nothing — a wrong code, another organization's, or a right one
 * from a phone that organization did not list. It names no organization and does not say which it
 * was, so a phone learns nothing by trying codes.
 */
export const ACCEPT_REFUSED =
  'This code does not make this phone an agent. Check the code with the business, and ask them to add this number as an agent first.';

async function accept(ctx: AppContext, message: Message, number: NumberRow, phone: string, code: string): Promise<boolean> {
  // Every ACCEPT is answered here, never by the bot: a try costs at most this one system message,
  // paid by the number's organization (the platform for its own numbers).
  const reply = (text: string, organizationId = number.organization_id) => tell(ctx, number, phone, organizationId, text, `agent-accept:${message.id}`);
  const attempt = await countAttempt(ctx, 'accept', phone);
  if (attempt.count > ACCEPTS_PER_WINDOW) {
    const minutes = Math.ceil(attempt.resetsInSeconds / 60);
    if (attempt.count === ACCEPTS_PER_WINDOW + 1) {
      await reply(`Too many ACCEPT attempts from this phone; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    }
    return true;
  }
  const org = await ctx.db.selectFrom('organizations').select(['id', 'name']).where('agent_code', '=', code).executeTakeFirst();
  // Only on a sender the code's organization may use: its own numbers or the platform's.
  const usable = org && (number.organization_id === null || number.organization_id === org.id);
  const agent = usable
    ? await ctx.db.selectFrom('agents').selectAll().where('organization_id', '=', org.id).where('number', '=', phone).executeTakeFirst()
    : undefined;
  if (!org || !agent) {
    await reply(ACCEPT_REFUSED);
    return true;
  }
  if (agent.status !== 'active') {
    await ctx.db.updateTable('agents').set({ status: 'active', accepted_at: ctx.clock.now().toISOString() }).where('id', '=', agent.id).execute();
    ctx.log.info({ organizationId: org.id, agentId: agent.id }, 'agent accepted');
  }
  await reply(
    agent.status === 'active'
      ? `You are already an agent of ${org.name}.`
      : `✅ You are now an agent of ${org.name}. Visitors who ask for a human will reach you here on WhatsApp. Send STOP AGENT to stop.`,
    org.id,
  );
  return true;
}

async function stop(ctx: AppContext, message: Message, number: NumberRow, phone: string): Promise<boolean> {
  let query = ctx.db
    .selectFrom('agents')
    .innerJoin('organizations', 'organizations.id', 'agents.organization_id')
    .select(['agents.id', 'agents.organization_id', 'agents.name as agent_name', 'organizations.name'])
    .where('agents.number', '=', phone)
    .where('agents.status', '=', 'active');
  // On an organization's own number the agent leaves that organization; on a platform number, every one.
  if (number.organization_id !== null) query = query.where('agents.organization_id', '=', number.organization_id);
  const memberships = await query.execute();
  if (memberships.length === 0) return false;
  // Visitors this agent was answering are not left waiting on someone who left: their conversations
  // go to the other agents, or wait in the inbox (handover/removal.ts).
  for (const m of memberships) {
    await ctx.hooks.handOffAfter(ctx, m.organization_id, { name: m.agent_name, number: phone }, () =>
      ctx.db.updateTable('agents').set({ status: 'stopped' }).where('id', '=', m.id).execute(),
    );
  }
  const names = memberships.map((m) => m.name).join(', ');
  await tell(
    ctx,
    number,
    phone,
    memberships[0]!.organization_id,
    `You will no longer receive chats from ${names}. To start again, send ACCEPT with the code they give you.`,
    `agent-stop:${message.id}`,
  );
  return true;
}

async function tell(ctx: AppContext, number: NumberRow, phone: string, organizationId: string | null, text: string, idempotencyKey: string): Promise<void> {
  await enqueueSend(ctx, { organizationId, numberId: number.id, to: phone, text, author: 'system', audience: 'agent', idempotencyKey });
}
