// The simulator page's view of the world: simulated phones (customers and agents) and their
// WhatsApp threads with the simulated business numbers, read back from the messages table so a
// reload shows exactly what the pipeline stored.
import { z } from 'zod';
import { toE164 } from '../../core/phone.js';
import { badRequest } from '../../core/errors.js';
import { explainFailedSend, type FailureExplained } from '../../core/send-failures.js';
import type { AppContext } from '../context.js';
import type { MessageMedia } from '../conversations/messages.js';

const PHONES_SETTING = 'simulator_phones';
/** A thread on a phone shows its most recent messages; the simulator is for demos, not archives. */
const THREAD_LIMIT = 200;

export type PhoneKind = 'customer' | 'agent';

export interface SimulatorPhone {
  number: string;
  name: string;
  kind: PhoneKind;
}

export interface PhoneMessage {
  id: number;
  providerMessageId: string | null;
  /** true when this phone wrote it */
  mine: boolean;
  text: string | null;
  media: MessageMedia | null;
  replyTo: string | null;
  status: string;
  /** a send that never reached the phone: why, and what to do */
  failure: FailureExplained | null;
  createdAt: string;
}

export interface PhoneThread {
  /** the business number on the other side */
  number: string;
  displayName: string | null;
  messages: PhoneMessage[];
}

export interface BusinessNumber {
  number: string;
  displayName: string | null;
  organizationName: string | null;
}

const storedPhones = z.array(z.object({ number: z.string(), name: z.string(), kind: z.enum(['customer', 'agent']) }));

async function readStoredPhones(ctx: AppContext): Promise<SimulatorPhone[]> {
  const row = await ctx.db.selectFrom('settings').select('value').where('key', '=', PHONES_SETTING).executeTakeFirst();
  if (!row) return [];
  const parsed = storedPhones.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : [];
}

/** Adds (or renames) a simulated phone. Numbers are E.164; a bad one is a 400. */
export async function addSimulatorPhone(ctx: AppContext, phone: { number: string; name?: string; kind?: PhoneKind }): Promise<SimulatorPhone> {
  const number = toE164(phone.number);
  if (!number) throw badRequest(`"${phone.number}" is not a phone number; use the international form, e.g. +15550109002.`, 'INVALID_PHONE');
  const businessNumbers = await simulatedBusinessNumbers(ctx);
  if (businessNumbers.some((b) => b.number === number)) {
    throw badRequest(`${number} is a simulated business number, not a customer's or agent's phone.`, 'BUSINESS_NUMBER');
  }
  const added: SimulatorPhone = { number, name: phone.name?.trim() || number, kind: phone.kind ?? 'customer' };
  const phones = (await readStoredPhones(ctx)).filter((p) => p.number !== number);
  phones.push(added);
  const value = JSON.stringify(phones);
  const updated = await ctx.db.updateTable('settings').set({ value }).where('key', '=', PHONES_SETTING).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await ctx.db.insertInto('settings').values({ key: PHONES_SETTING, value }).execute();
  return added;
}

export async function simulatedBusinessNumbers(ctx: AppContext): Promise<BusinessNumber[]> {
  const rows = await ctx.db
    .selectFrom('numbers')
    .leftJoin('organizations', 'organizations.id', 'numbers.organization_id')
    .select(['numbers.phone_number', 'numbers.provider_id', 'numbers.display_name', 'organizations.name as organization_name'])
    .where('numbers.provider', '=', 'simulator')
    .orderBy('numbers.created_at')
    .execute();
  return rows.map((r) => ({ number: r.phone_number ?? r.provider_id, displayName: r.display_name, organizationName: r.organization_name }));
}

/** Agents of any organization or listed on any widget: their phones appear on the simulator even before a first message. */
async function widgetAgentNumbers(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db.selectFrom('widgets').select('settings').execute();
  const numbers: string[] = (await ctx.db.selectFrom('agents').select('number').distinct().execute()).map((a) => a.number);
  for (const row of rows) {
    try {
      const settings = JSON.parse(row.settings) as { agentWhatsappNumbers?: unknown };
      if (Array.isArray(settings.agentWhatsappNumbers)) numbers.push(...settings.agentWhatsappNumbers.filter((n): n is string => typeof n === 'string'));
    } catch {
      // a widget with unreadable settings simply lists no agents here
    }
  }
  return numbers;
}

/** Every simulated phone: the ones added, the widgets' agents, and anyone who wrote to a simulated number. */
export async function listSimulatorPhones(ctx: AppContext): Promise<SimulatorPhone[]> {
  const business = new Set((await simulatedBusinessNumbers(ctx)).map((b) => b.number));
  const phones = new Map<string, SimulatorPhone>();
  for (const p of await readStoredPhones(ctx)) phones.set(p.number, p);
  for (const n of await widgetAgentNumbers(ctx)) {
    if (!phones.has(n)) phones.set(n, { number: n, name: n, kind: 'agent' });
    else phones.get(n)!.kind = 'agent';
  }
  const writers = await ctx.db
    .selectFrom('messages')
    .select(['from_address', 'to_address', 'direction'])
    .distinct()
    .where('provider', '=', 'simulator')
    .execute();
  for (const w of writers) {
    const address = w.direction === 'in' ? w.from_address : w.to_address;
    if (address && !business.has(address) && !phones.has(address)) phones.set(address, { number: address, name: address, kind: 'customer' });
  }
  return [...phones.values()];
}

/** One phone's threads, one per business number it talked to, oldest message first. */
export async function phoneThreads(ctx: AppContext, phoneNumber: string): Promise<PhoneThread[]> {
  const rows = await ctx.db
    .selectFrom('messages')
    .select([
      'id',
      'direction',
      'audience',
      'from_address',
      'to_address',
      'body',
      'media',
      'provider_message_id',
      'reply_to_provider_message_id',
      'status',
      'error_code',
      'send_error',
      'created_at',
    ])
    .where('provider', '=', 'simulator')
    .where((eb) => eb.or([eb('from_address', '=', phoneNumber), eb('to_address', '=', phoneNumber)]))
    .orderBy('id', 'desc')
    .limit(THREAD_LIMIT * 5)
    .execute();
  const names = new Map((await simulatedBusinessNumbers(ctx)).map((b) => [b.number, b.displayName]));
  const threads = new Map<string, PhoneThread>();
  for (const row of rows.reverse()) {
    const mine = row.direction === 'in' && row.from_address === phoneNumber;
    const other = mine ? row.to_address : row.from_address;
    if (!other || other === phoneNumber) continue;
    let thread = threads.get(other);
    if (!thread) {
      thread = { number: other, displayName: names.get(other) ?? null, messages: [] };
      threads.set(other, thread);
    }
    thread.messages.push({
      id: row.id,
      providerMessageId: row.provider_message_id,
      mine,
      text: row.body,
      media: row.media ? (safeJson(row.media) as MessageMedia | null) : null,
      replyTo: row.reply_to_provider_message_id,
      status: row.status,
      failure:
        row.status === 'failed'
          ? explainFailedSend({ errorCode: row.error_code, sendError: row.send_error, audience: row.audience, to: row.to_address })
          : null,
      createdAt: row.created_at,
    });
  }
  for (const thread of threads.values()) thread.messages = thread.messages.slice(-THREAD_LIMIT);
  return [...threads.values()];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
