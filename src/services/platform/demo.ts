// The demo a first start shows (SPEC §2): one invented business with a knowledge base, a simulated
// number, a widget with two agents' simulated phones and a two-number pool. Everything goes through
// the same public API a user would call, so the demo shows the product as it really behaves.
import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../../db/database.js';
import { createApiKey } from '../tenancy/api-keys.js';
import type { AppContext } from '../context.js';
import { createOrganization } from '../tenancy/organizations.js';
import { extendServiceWindow } from '../inbound/reaction.js';
import { addSimulatorPhone } from './simulator.js';
import { invalidateLookups } from '../lookup-cache.js';

/** What the start-up banner and the demo page need. */
export interface DemoInfo {
  organizationId: string;
  organizationName: string;
  /** absent when the widget could not be created (logged) */
  widgetId?: string;
  widgetPublicKey?: string;
  businessNumber: string;
  agentNumbers: string[];
  poolNumbers: string[];
  customerNumber: string;
  /** an organization key for the demo organization; only on the start that created it */
  apiKey?: string;
}

/** What the demo needs of the app: to call its own API in-process (fastify's `inject` fits). */
export interface InProcessApi {
  inject(request: {
    method: 'POST';
    url: string;
    headers: Record<string, string>;
    payload: object;
  }): Promise<{ statusCode: number; body: string; json(): unknown }>;
}

const DEMO_SETTING = 'demo';

export const DEMO_BUSINESS = {
  name: 'Lantern Lane Bikes',
  description: 'Bicycle rental, repairs and guided rides by the river.',
  number: '+15550100001',
  pool: [
    { number: '+15550100011', displayName: 'Lantern Lane Bikes · Desk 1' },
    { number: '+15550100012', displayName: 'Lantern Lane Bikes · Desk 2' },
  ],
  agents: [
    { number: '+15550100101', name: 'Maya (agent)' },
    { number: '+15550100102', name: 'Tom (agent)' },
  ],
  customer: { number: '+15550109001', name: 'Sam Rivera' },
};

export const DEMO_KNOWLEDGE = [
  {
    title: 'Opening hours',
    content:
      'Lantern Lane Bikes is open Monday to Friday from 8am to 7pm, and Saturday and Sunday from 9am to 5pm. ' +
      'We are closed on 25 December and 1 January. Bikes can be returned until 30 minutes after closing time at the drop box by the door.',
  },
  {
    title: 'City bike rental prices',
    content:
      'Renting a city bike costs $12 for two hours or $25 for a full day. Weekly rental of a city bike costs $110. ' +
      "A children's bike or a child seat costs $8 a day. Helmets and locks are included free with every rental.",
  },
  {
    title: 'Electric bike (e-bike) rental prices',
    content:
      'Renting an electric bike (e-bike) costs $20 for two hours or $45 for a full day. Weekly rental of an e-bike costs $200. ' +
      'Every e-bike is fully charged when you pick it up and its battery lasts about 60 km.',
  },
  {
    title: 'Repairs and servicing',
    content:
      'A flat tyre repair costs $15 and usually takes 20 minutes while you wait. A full service costs $65 and takes one working day; book it a day ahead. ' +
      'Brake adjustment costs $10. We repair all bike brands.',
  },
  {
    title: 'Guided river rides',
    content:
      'Our guided river ride leaves every Saturday and Sunday at 10am from the shop and lasts about three hours, with a coffee stop at the old mill. ' +
      'It costs $35 per person including the bike and helmet. Groups of more than eight riders should book by message two days ahead.',
  },
  {
    title: 'Deposits, cancellation and location',
    content:
      'We ask for a photo ID and a card as deposit when you pick up a bike; nothing is charged unless the bike is damaged or lost. ' +
      'You can cancel a booking for free until 24 hours before it starts. The shop is at 14 Lantern Lane, next to the river bridge, with free parking behind the building.',
  },
];

/** Creates the demo once on an empty database; later starts add nothing and return what exists. */
export async function seedDemo(ctx: AppContext, app: InProcessApi): Promise<DemoInfo | undefined> {
  // The demo's numbers are simulated: with real providers configured there is nothing to try it on.
  if (!ctx.config.simulator) return undefined;
  const existing = await readDemo(ctx);
  if (existing) return existing;
  const anyOrganization = await ctx.db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (anyOrganization) return undefined;

  const now = ctx.clock.now().toISOString();
  // Claiming the setting first makes a concurrent second start give up instead of seeding twice.
  try {
    await ctx.db
      .insertInto('settings')
      .values({ key: DEMO_SETTING, value: JSON.stringify({ pending: true }) })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }

  const organization = await createOrganization(ctx, {
    name: DEMO_BUSINESS.name,
    description: DEMO_BUSINESS.description,
    businessInfo: 'A family-run bike shop at 14 Lantern Lane: rentals, repairs and weekend guided rides.',
    plan: 'business',
    instructions: 'Answer in a friendly, short way, as a bike shop employee would on WhatsApp.',
  });
  const organizationId = organization.id;
  const { key: apiKey } = await createApiKey(ctx, organizationId);

  const simulatedNumbers = [{ number: DEMO_BUSINESS.number, displayName: DEMO_BUSINESS.name }, ...DEMO_BUSINESS.pool].map((n) => ({ ...n, id: randomUUID() }));
  await ctx.db
    .insertInto('numbers')
    .values(
      simulatedNumbers.map((n) => ({
        id: n.id,
        organization_id: organizationId,
        provider: 'simulator',
        phone_number: n.number,
        provider_id: n.number,
        display_name: n.displayName,
        connection_id: null,
        sender_status: 'online',
        is_shared_trial: 0 as const,
        is_dedicated: 1 as const,
        created_at: now,
      })),
    )
    .execute();
  invalidateLookups(ctx);

  // As if each agent had written to the shop's numbers today: handover notifications go out as
  // plain text inside the 24-hour window; after it closes, the widget's handover template is used.
  for (const n of simulatedNumbers) {
    for (const agent of DEMO_BUSINESS.agents) await extendServiceWindow(ctx, n.id, agent.number, now);
  }

  // The demo's simulated agents start active (SPEC §8): their phones are the simulator's, there is nobody to ask.
  await ctx.db
    .insertInto('agents')
    .values(
      DEMO_BUSINESS.agents.map((a) => ({
        id: randomUUID(),
        organization_id: organizationId,
        name: a.name,
        number: a.number,
        status: 'active',
        created_at: now,
        accepted_at: now,
      })),
    )
    .execute();

  // A failing step is logged and the server still starts: the demo is a convenience, not the product.
  const api = demoApi(app, apiKey);
  const widget = await api<{ widget: { id: string; publicKey: string } }>('POST', `/api/organizations/${organizationId}/widgets`, demoWidget(ctx))
    .then((b) => b.widget)
    .catch((err: Error) => void ctx.log.error(`demo: the widget could not be created: ${err.message}`));
  try {
    for (const doc of DEMO_KNOWLEDGE) await api('POST', `/api/organizations/${organizationId}/knowledge`, doc);
    await api('POST', `/api/organizations/${organizationId}/train`, {});
  } catch (err) {
    ctx.log.error(`demo: the knowledge base could not be loaded: ${(err as Error).message}`);
  }

  for (const agent of DEMO_BUSINESS.agents) await addSimulatorPhone(ctx, { number: agent.number, name: agent.name, kind: 'agent' });
  await addSimulatorPhone(ctx, { number: DEMO_BUSINESS.customer.number, name: DEMO_BUSINESS.customer.name, kind: 'customer' });

  const info: DemoInfo = {
    organizationId,
    organizationName: DEMO_BUSINESS.name,
    widgetId: widget?.id,
    widgetPublicKey: widget?.publicKey,
    businessNumber: DEMO_BUSINESS.number,
    agentNumbers: DEMO_BUSINESS.agents.map((a) => a.number),
    poolNumbers: DEMO_BUSINESS.pool.map((p) => p.number),
    customerNumber: DEMO_BUSINESS.customer.number,
  };
  await ctx.db
    .updateTable('settings')
    .set({ value: JSON.stringify(info) })
    .where('key', '=', DEMO_SETTING)
    .execute();
  ctx.log.info({ organizationId }, 'demo organization created');
  return { ...info, apiKey };
}

/** The demo as stored, when a completed one exists. */
export async function readDemo(ctx: AppContext): Promise<DemoInfo | undefined> {
  const row = await ctx.db.selectFrom('settings').select('value').where('key', '=', DEMO_SETTING).executeTakeFirst();
  if (!row) return undefined;
  const info = JSON.parse(row.value) as DemoInfo & { pending?: boolean };
  return info.pending ? undefined : info;
}

/** The website origins the demo page is served from: the public URL, and its 127.0.0.1/localhost twin. */
export function demoOrigins(publicUrl: string): string[] {
  const origin = new URL(publicUrl).origin;
  const twin = origin.includes('://localhost') ? origin.replace('://localhost', '://127.0.0.1') : origin.replace('://127.0.0.1', '://localhost');
  return [...new Set([origin, twin])];
}

/** Calls the app's own API as the demo organization; a non-2xx answer throws its sentence. */
function demoApi(app: InProcessApi, apiKey: string) {
  return async <T = unknown>(method: 'POST', url: string, payload: object): Promise<T> => {
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${apiKey}` }, payload });
    const body = response.json() as T & { error?: string };
    if (response.statusCode >= 300) throw new Error(`${method} ${url} answered ${response.statusCode}: ${body.error ?? response.body}`);
    return body;
  };
}

function demoWidget(ctx: AppContext) {
  return {
    name: 'Website chat',
    allowedOrigins: demoOrigins(ctx.config.publicUrl),
    greeting: 'Hi! I am the Lantern Lane Bikes assistant. Ask me about rentals, repairs, prices or opening hours.',
    agentWhatsappNumbers: DEMO_BUSINESS.agents.map((a) => a.number),
    handoverWhatsappNumber: DEMO_BUSINESS.number,
    whatsappNumberPool: DEMO_BUSINESS.pool.map((p) => ({ ...p, isActive: true, notes: 'simulated' })),
    enableMultipleWhatsappChats: true,
    inactivityTimeoutMinutes: 30,
    handoverTemplate: { name: 'agent_handover', language: 'en', variables: ['{ref}', '{name}', '{message}'] },
  };
}
