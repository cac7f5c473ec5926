// Widgets of an organization: settings (JSON in `widgets.settings`, validated on write and on read),
// allowed origins and the number pool (`pool_numbers`). The handover service reads them through
// `loadWidget` + `readWidgetSettings` + `listPool`.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { conflict, notFound } from '../../core/errors.js';
import { newSecret } from '../../core/keys.js';
import { toE164 } from '../../core/phone.js';
import type { NumberRow, PoolNumber, Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { agentInvitation, agentsFor, ensureAgents } from '../agents/agents.js';
import { defaultSenderPhone, senderForOrganization } from '../numbers/usable.js';
import { providerByName } from '../../providers/registry.js';
import { ensureHandoverTemplates } from '../numbers/templates.js';
import { deleteMedia } from '../media/files.js';

export const phoneNumber = z.string().transform((value, check) => {
  const e164 = toE164(value);
  if (!e164) {
    check.addIssue({ code: 'custom', message: `"${value}" is not a phone number in international form (+ and country code)` });
    return z.NEVER;
  }
  return e164;
});

/** `*`, or an origin such as `https://shop.example` (no path); stored normalized. */
const origin = z.string().transform((value, check) => {
  if (value.trim() === '*') return '*';
  try {
    const url = new URL(value.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '')) return url.origin;
  } catch {
    // fall through to the sentence below
  }
  check.addIssue({ code: 'custom', message: `"${value}" is not an origin like https://shop.example (or *)` });
  return z.NEVER;
});

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00');

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Berlin');

const workingHours = z
  .object({
    timeZone,
    /** 0 = Sunday … 6 = Saturday */
    days: z.array(z.number().int().min(0).max(6)).min(1),
    start: clockTime,
    end: clockTime,
  })
  .refine((h) => h.start < h.end, 'workingHours.end must be after workingHours.start');

export const poolNumberInput = z.object({
  number: phoneNumber,
  displayName: z.string().trim().max(80).nullish(),
  isActive: z.boolean().optional(),
  notes: z.string().max(500).nullish(),
});

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #0b7a5a');

// The settings as an API caller gives them (no defaults here, so a PATCH changes only what it names).
const settingsFields = {
  agentWhatsappNumbers: z.array(phoneNumber).max(50),
  handoverWhatsappNumber: phoneNumber.nullable(),
  enableMultipleWhatsappChats: z.boolean(),
  inactivityTimeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  /** nobody claimed the handover by then: the organization's other active agents are alerted too */
  agentResponseMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** sent to an agent outside the sender's 24-hour window */
  handoverTemplate: z.object({ name: z.string().min(1), language: z.string().min(2).default('en'), variables: z.array(z.string()).default([]) }).nullable(),
  workingHours: workingHours.nullable(),
  offlineMessage: z.string().max(1000).nullable(),
  title: z.string().max(60).nullable(),
  colors: z.object({ primary: color.optional(), text: color.optional() }),
};

/** Everything in `widgets.settings`. Defaults make old rows readable after a field is added. */
export const widgetSettingsSchema = z.object({
  agentWhatsappNumbers: settingsFields.agentWhatsappNumbers.default([]),
  handoverWhatsappNumber: settingsFields.handoverWhatsappNumber.default(null),
  enableMultipleWhatsappChats: settingsFields.enableMultipleWhatsappChats.default(true),
  inactivityTimeoutMinutes: settingsFields.inactivityTimeoutMinutes.default(30),
  agentResponseMinutes: settingsFields.agentResponseMinutes.default(3),
  handoverTemplate: settingsFields.handoverTemplate.default(null),
  workingHours: settingsFields.workingHours.default(null),
  offlineMessage: settingsFields.offlineMessage.default(null),
  title: settingsFields.title.default(null),
  colors: settingsFields.colors.default({}),
});
export type WidgetSettings = z.infer<typeof widgetSettingsSchema>;

export const widgetInput = z.object({
  name: z.string().trim().min(1).max(100),
  allowedOrigins: z.array(origin).min(1, 'list at least one origin (or *)').max(50),
  greeting: z.string().max(1000).nullish(),
  whatsappNumberPool: z.array(poolNumberInput).max(100).optional(),
  ...z.object(settingsFields).partial().shape,
});
export const widgetPatch = widgetInput.partial();
export type WidgetInput = z.infer<typeof widgetInput>;
export type WidgetPatch = z.infer<typeof widgetPatch>;

export function readWidgetSettings(widget: Widget): WidgetSettings {
  return readWidgetSettingsText(widget.settings);
}

/** `widgets.settings` as stored (a joined row's column). */
export function readWidgetSettingsText(settings: string): WidgetSettings {
  return widgetSettingsSchema.parse(JSON.parse(settings));
}

export function readAllowedOrigins(widget: Widget): string[] {
  return z.array(z.string()).parse(JSON.parse(widget.allowed_origins));
}

function pickSettings(input: WidgetPatch): Partial<WidgetSettings> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(settingsFields)) {
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as Partial<WidgetSettings>;
}

/**
 * Senders are checked when saved (SPEC §8): the handover number and every pool number must be a
 * number the organization can use — found at the provider now, not while a visitor waits.
 */
async function checkSenders(ctx: AppContext, organizationId: string, input: WidgetPatch): Promise<NumberRow[]> {
  const senders: NumberRow[] = [];
  if (input.handoverWhatsappNumber) senders.push(await senderForOrganization(ctx, organizationId, input.handoverWhatsappNumber, 'The handover number'));
  for (const p of input.whatsappNumberPool ?? []) senders.push(await senderForOrganization(ctx, organizationId, p.number, 'Pool number'));
  return senders;
}

export async function createWidget(ctx: AppContext, organizationId: string, input: WidgetInput) {
  const organization = await ctx.db.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst();
  if (!organization) throw notFound('Organization');
  const senders = await checkSenders(ctx, organizationId, input);
  const now = ctx.clock.now().toISOString();
  const id = randomUUID();
  const settings = widgetSettingsSchema.parse(pickSettings(input));
  const pool = await poolWithNames(ctx, organizationId, input.whatsappNumberPool ?? []);
  await ctx.db.transaction().execute(async (trx) => {
    await ensureAgents(trx, organizationId, settings.agentWhatsappNumbers, now);
    await trx
      .insertInto('widgets')
      .values({
        id,
        organization_id: organizationId,
        public_key: newSecret('wpk_', 12),
        name: input.name,
        allowed_origins: JSON.stringify(unique(input.allowedOrigins)),
        greeting: input.greeting ?? null,
        settings: JSON.stringify(settings),
        created_at: now,
        updated_at: now,
      })
      .execute();
    await insertPool(trx as unknown as AppContext['db'], id, pool, 0, now);
  });
  await applyDisplayNames(ctx, await loadWidget(ctx, id));
  // Their accounts' handover templates go into review now, long before an agent's window closes.
  await ensureHandoverTemplates(ctx, senders);
  return widgetView(ctx, await loadWidget(ctx, id));
}

/**
 * Pool numbers saved without a display name get a distinct one — "Crumb & Co · 2", "· 3", … (the
 * handover number keeps the organization's own name, the first) — so the threads on an agent's
 * phone can be told apart. `taken`: names already in the pool.
 */
async function poolWithNames(
  ctx: AppContext,
  organizationId: string,
  pool: z.infer<typeof poolNumberInput>[],
  taken: Array<string | null> = [],
): Promise<z.infer<typeof poolNumberInput>[]> {
  if (pool.every((p) => p.displayName)) return pool;
  const organization = await ctx.db.selectFrom('organizations').select('name').where('id', '=', organizationId).executeTakeFirstOrThrow();
  const used = new Set([...taken, ...pool.map((p) => p.displayName)].filter((n): n is string => !!n));
  let n = 2;
  return pool.map((p) => {
    if (p.displayName) return p;
    while (used.has(poolDisplayName(organization.name, n))) n++;
    const displayName = poolDisplayName(organization.name, n);
    used.add(displayName);
    return { ...p, displayName };
  });
}

export const poolDisplayName = (organizationName: string, n: number) => `${organizationName.trim().slice(0, 70)} · ${n}`;

/**
 * Where the provider lets us name a number (the simulator), an organization's own pool number
 * carries its pool display name there too; elsewhere the name is kept and shown by us. A platform
 * number (shared by organizations) and the widget's handover number keep theirs.
 */
async function applyDisplayNames(ctx: AppContext, widget: Widget): Promise<void> {
  const handover = readWidgetSettings(widget).handoverWhatsappNumber;
  for (const p of await listPool(ctx, widget.id)) {
    if (!p.display_name || p.number === handover) continue;
    const own = await ctx.db
      .selectFrom('numbers')
      .select(['id', 'provider', 'display_name'])
      .where('organization_id', '=', widget.organization_id)
      .where('phone_number', '=', p.number)
      .executeTakeFirst();
    if (!own || own.display_name === p.display_name || !providerByName(own.provider)?.capabilities.displayNames) continue;
    await ctx.db.updateTable('numbers').set({ display_name: p.display_name }).where('id', '=', own.id).execute();
  }
}

async function insertPool(db: AppContext['db'], widgetId: string, pool: z.infer<typeof poolNumberInput>[], firstPosition: number, now: string) {
  const numbers = pool.map((p) => p.number);
  const repeated = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (repeated) throw conflict(`${repeated} is listed twice in the pool.`, 'POOL_NUMBER_EXISTS');
  if (pool.length === 0) return;
  await db
    .insertInto('pool_numbers')
    .values(
      pool.map((p, i) => ({
        id: randomUUID(),
        widget_id: widgetId,
        number: p.number,
        display_name: p.displayName ?? null,
        is_active: p.isActive === false ? 0 : 1,
        notes: p.notes ?? null,
        position: firstPosition + i,
        created_at: now,
      })),
    )
    .execute();
}

const unique = (values: string[]) => [...new Set(values)];

/** The widget, or 404. Callers check the organization (another organization's widget → 404 too). */
export async function loadWidget(ctx: AppContext, id: string): Promise<Widget> {
  const widget = await ctx.db.selectFrom('widgets').selectAll().where('id', '=', id).executeTakeFirst();
  if (!widget) throw notFound('Widget');
  return widget;
}

export async function findWidgetByPublicKey(ctx: AppContext, publicKey: string): Promise<Widget | undefined> {
  return ctx.db.selectFrom('widgets').selectAll().where('public_key', '=', publicKey).executeTakeFirst();
}

export async function listPool(ctx: AppContext, widgetId: string): Promise<PoolNumber[]> {
  return ctx.db.selectFrom('pool_numbers').selectAll().where('widget_id', '=', widgetId).orderBy('position').execute();
}

export function poolNumberView(p: PoolNumber) {
  return { number: p.number, displayName: p.display_name, isActive: p.is_active === 1, notes: p.notes };
}

export async function widgetView(ctx: AppContext, widget: Widget) {
  const pool = await listPool(ctx, widget.id);
  const settings = readWidgetSettings(widget);
  // An agent accepts by writing to any of the widget's senders; the first one it would hand over from is shown.
  const sendTo = pool.find((p) => p.is_active === 1)?.number ?? settings.handoverWhatsappNumber ?? (await defaultSenderPhone(ctx, widget.organization_id));
  return {
    id: widget.id,
    organizationId: widget.organization_id,
    publicKey: widget.public_key,
    name: widget.name,
    allowedOrigins: readAllowedOrigins(widget),
    greeting: widget.greeting,
    ...settings,
    agents: await agentsFor(ctx.db, widget.organization_id, settings.agentWhatsappNumbers),
    agentInvitation: await agentInvitation(ctx, widget.organization_id, sendTo),
    whatsappNumberPool: pool.map(poolNumberView),
    createdAt: widget.created_at,
    updatedAt: widget.updated_at,
  };
}

/** A widget as the API answers it. */
export type WidgetJson = Awaited<ReturnType<typeof widgetView>>;
export type PoolNumberJson = ReturnType<typeof poolNumberView>;

export async function listWidgets(ctx: AppContext, organizationId: string) {
  const rows = await ctx.db.selectFrom('widgets').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').execute();
  return Promise.all(rows.map((w) => widgetView(ctx, w)));
}

/** Applies the given fields; `whatsappNumberPool`, when given, replaces the whole pool. */
export async function updateWidget(ctx: AppContext, widget: Widget, patch: WidgetPatch) {
  const senders = await checkSenders(ctx, widget.organization_id, patch);
  const now = ctx.clock.now().toISOString();
  const settings = widgetSettingsSchema.parse({ ...readWidgetSettings(widget), ...pickSettings(patch) });
  const pool = patch.whatsappNumberPool && (await poolWithNames(ctx, widget.organization_id, patch.whatsappNumberPool));
  await ctx.db.transaction().execute(async (trx) => {
    await ensureAgents(trx, widget.organization_id, settings.agentWhatsappNumbers, now);
    await trx
      .updateTable('widgets')
      .set({
        name: patch.name ?? widget.name,
        allowed_origins: patch.allowedOrigins ? JSON.stringify(unique(patch.allowedOrigins)) : widget.allowed_origins,
        greeting: patch.greeting === undefined ? widget.greeting : patch.greeting,
        settings: JSON.stringify(settings),
        updated_at: now,
      })
      .where('id', '=', widget.id)
      .execute();
    if (pool) {
      await trx.deleteFrom('pool_numbers').where('widget_id', '=', widget.id).execute();
      await insertPool(trx as unknown as AppContext['db'], widget.id, pool, 0, now);
    }
  });
  await applyDisplayNames(ctx, await loadWidget(ctx, widget.id));
  await ensureHandoverTemplates(ctx, senders);
  return widgetView(ctx, await loadWidget(ctx, widget.id));
}

/** Sessions, their uploads and pool go with the widget (foreign keys); its conversations stay in the inbox. */
export async function deleteWidget(ctx: AppContext, widget: Widget): Promise<void> {
  // The uploads' files first: once the rows cascade away, nothing would point at them.
  await deleteMedia(ctx, { widgetId: widget.id });
  await ctx.db.deleteFrom('widgets').where('id', '=', widget.id).execute();
}

export async function addPoolNumber(ctx: AppContext, widget: Widget, input: z.infer<typeof poolNumberInput>) {
  const pool = await listPool(ctx, widget.id);
  if (pool.some((p) => p.number === input.number)) {
    throw conflict(`${input.number} is already in this widget's pool.`, 'POOL_NUMBER_EXISTS');
  }
  const sender = await senderForOrganization(ctx, widget.organization_id, input.number, 'Pool number');
  const last = pool.at(-1)?.position ?? -1;
  const named = await poolWithNames(
    ctx,
    widget.organization_id,
    [input],
    pool.map((p) => p.display_name),
  );
  await insertPool(ctx.db, widget.id, named, last + 1, ctx.clock.now().toISOString());
  await applyDisplayNames(ctx, widget);
  await ensureHandoverTemplates(ctx, [sender]);
  return poolNumberView(await loadPoolNumber(ctx, widget, input.number));
}

async function loadPoolNumber(ctx: AppContext, widget: Widget, number: string): Promise<PoolNumber> {
  const e164 = toE164(number);
  const row = e164
    ? await ctx.db.selectFrom('pool_numbers').selectAll().where('widget_id', '=', widget.id).where('number', '=', e164).executeTakeFirst()
    : undefined;
  if (!row) throw notFound(`Pool number ${number}`);
  return row;
}

export const poolNumberPatch = poolNumberInput.omit({ number: true }).partial();

export async function updatePoolNumber(ctx: AppContext, widget: Widget, number: string, patch: z.infer<typeof poolNumberPatch>) {
  const row = await loadPoolNumber(ctx, widget, number);
  await ctx.db
    .updateTable('pool_numbers')
    .set({
      display_name: patch.displayName === undefined ? row.display_name : patch.displayName,
      notes: patch.notes === undefined ? row.notes : patch.notes,
      is_active: patch.isActive === undefined ? row.is_active : patch.isActive ? 1 : 0,
    })
    .where('id', '=', row.id)
    .execute();
  await applyDisplayNames(ctx, widget);
  return poolNumberView(await loadPoolNumber(ctx, widget, row.number));
}

/** Conversations already carried by the number keep it until they close (the assignment is theirs). */
export async function removePoolNumber(ctx: AppContext, widget: Widget, number: string): Promise<void> {
  const row = await loadPoolNumber(ctx, widget, number);
  await ctx.db.deleteFrom('pool_numbers').where('id', '=', row.id).execute();
}
