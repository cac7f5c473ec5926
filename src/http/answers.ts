// What the API answers, as zod schemas with an example each: /docs shows them as the response of
// every operation (test/http/answers.test.ts parses real answers with the same schemas). Kept in one
// table by "METHOD /path" so route files stay about requests; an operation not listed here is
// documented as `{ok: true, …}`. Every operation also documents the error answer.
import { z } from 'zod';

const at = '2026-05-20T10:00:00.000Z';
const isoTime = z.string().meta({ example: at });
const e164 = z.string().meta({ example: '+14155550100' });

/** Every error: a sentence saying what is wrong and what to do, and a stable code. */
export const errorAnswer = z
  .object({ ok: z.literal(false), error: z.string(), code: z.string() })
  .meta({ description: 'The request was refused', example: { ok: false, error: 'Organization not found.', code: 'NOT_FOUND' } });

/** `{ok: true, …shape}`; other fields may follow (answers grow, clients ignore what they do not know). */
function answer<T extends z.ZodRawShape>(shape: T, example: Record<string, unknown>, description = 'Done') {
  return z.looseObject({ ok: z.literal(true), ...shape }).meta({ description, example: { ok: true, ...example } });
}

export const plainOk = answer({}, {}, 'Done');

const limitState = z
  .enum(['ok', 'near', 'reached'])
  .meta({ description: "near: 80% of the plan's monthly limit used; reached: the bot no longer answers and marks customers' messages for a human" });

const organizationExample = {
  id: '3f1c2a9e-0b1d-4c55-9a51-7c2f4e8a1b20',
  name: 'Lantern Lane Bikes',
  description: 'Bicycle rental and repairs.',
  businessInfo: null,
  instructions: 'Answer briefly.',
  plan: 'trial',
  joinCode: 'amber-otter',
  whatsappNumber: null,
  whatsappNumberSid: null,
  whatsappPhoneNumberId: null,
  whatsappDisplayNumber: null,
  whapiChannelId: null,
  senderStatus: null,
  sharedTrialNumber: '+14155238886',
  messagesUsed: 42,
  messageLimit: 50,
  limitState: 'near',
  createdAt: at,
  updatedAt: at,
};
const organization = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  businessInfo: z.string().nullable(),
  instructions: z.string().nullable(),
  plan: z.string(),
  joinCode: z.string(),
  whatsappNumber: z.string().nullable(),
  senderStatus: z.string().nullable(),
  messagesUsed: z.number().int().meta({ description: "customers' WhatsApp messages this month (messages with the organization's agents never count)" }),
  messageLimit: z.number().int(),
  limitState: limitState,
  sharedTrialNumber: z.string().nullable().meta({ description: 'trial plan: the shared number its customers write `join <joinCode>` to' }),
  createdAt: isoTime,
  updatedAt: isoTime,
});

const apiKeyExample = { id: 'b1f0…', organizationId: organizationExample.id, prefix: 'sb_org_Ab12', name: 'Sam', createdAt: at, revokedAt: null };
const apiKey = z.looseObject({
  id: z.string(),
  organizationId: z.string(),
  prefix: z.string(),
  name: z.string().nullable(),
  createdAt: isoTime,
  revokedAt: z.string().nullable(),
});

const failure = z.object({ reason: z.string(), action: z.string() });
const messageExample = {
  id: 42,
  conversationId: 'c7d1…',
  direction: 'out',
  author: 'system',
  audience: 'agent',
  agentNumber: '+15550100101',
  agentName: 'Maya',
  body: '🔔 Agent Handover Request…',
  media: null,
  status: 'failed',
  sendSuccess: false,
  sendError: 'The 24-hour customer service window with this contact is closed…',
  errorCode: 'WINDOW_CLOSED',
  failure: {
    reason: "Outside WhatsApp's 24-hour window: +15550100101 has not written to this number in the last 24 hours, so only an approved template can be sent.",
    action: 'Ask the agent to send any message to this number from +15550100101, which opens the window for 24 hours, or give the widget a handover template.',
  },
  unanswered: null,
  createdAt: at,
};
const message = z.looseObject({
  id: z.number().int(),
  conversationId: z.string().nullable(),
  direction: z.enum(['in', 'out']),
  author: z.string().meta({ description: 'contact | visitor | bot | agent | system' }),
  audience: z.string().meta({ description: "contact: what the customer or visitor saw or wrote; agent: to or from an agent's WhatsApp" }),
  agentNumber: z.string().nullable(),
  agentName: z.string().nullable(),
  body: z.string().nullable(),
  media: z.looseObject({}).nullable(),
  status: z.string().meta({ description: 'received | queued | sent | delivered | read | failed' }),
  sendError: z.string().nullable(),
  errorCode: z.string().nullable(),
  failure: failure.nullable().meta({ description: 'a failed send: why, and what to do about it' }),
  unanswered: z
    .string()
    .nullable()
    .meta({ description: 'a customer message the bot did not answer and a human should, e.g. "Not answered: monthly limit reached"' }),
  createdAt: isoTime,
});

const conversationExample = {
  id: 'c7d1…',
  ref: 282,
  channel: 'widget',
  status: 'agent',
  contactName: 'Ana',
  contactNumber: null,
  sessionId: 'visitor_abc123def456',
  contactEmail: 'ana@example.com',
  assignedWhatsappNumber: '+15550100011',
  agentNumber: '+15550100101',
  agentName: 'Maya',
  unread: 2,
  unanswered: 0,
  createdAt: at,
  lastMessageAt: at,
};
const conversation = z.looseObject({
  id: z.string(),
  ref: z.number().int(),
  channel: z.enum(['whatsapp', 'widget']),
  status: z.string().meta({ description: 'bot | waiting_agent | agent | closed' }),
  contactName: z.string().nullable(),
  contactNumber: z.string().nullable(),
  sessionId: z.string().nullable(),
  contactEmail: z.string().nullable(),
  assignedWhatsappNumber: z.string().nullable(),
  agentNumber: z.string().nullable(),
  agentName: z.string().nullable(),
  unread: z.number().int(),
  unanswered: z.number().int().meta({ description: "the contact's messages the bot left unanswered at the plan's limit, waiting for a human" }),
  createdAt: isoTime,
  lastMessageAt: isoTime,
});

const costParts = z.object({
  provider: z.number(),
  meta: z.number(),
  rental: z.number(),
  agents: z.number().meta({ description: "every fee for messages with the organization's own agents (notifications, forwards, templates, their replies)" }),
  total: z.number(),
});
const counts = z.looseObject({ total: z.number(), service: z.number(), utility: z.number(), marketing: z.number(), authentication: z.number() });
const usage = z.looseObject({
  organizationId: z.string(),
  month: z.string(),
  plan: z.string(),
  planPrice: z.number(),
  limit: z.number(),
  used: z.number().meta({ description: "customers' WhatsApp messages, the only ones that count toward the limit" }),
  remaining: z.number(),
  limitState,
  messages: z.object({ in: counts, out: counts }),
  agentMessages: z
    .object({ in: z.number(), out: z.number(), failed: z.number(), templates: z.number() })
    .meta({ description: "WhatsApp messages with the organization's agents: paid for (cost.agents), never counted toward the limit" }),
  websiteChat: z.object({ in: z.number(), out: z.number(), total: z.number() }).meta({ description: 'website-chat messages: not counted toward the limit' }),
  cost: costParts,
  margin: z.number().meta({ description: 'plan price minus cost; below zero when the month cost the platform more than the plan brings (a loss)' }),
  numbers: z.array(
    z.looseObject({ numberId: z.string().nullable(), phoneNumber: z.string().nullable(), messagesIn: z.number(), messagesOut: z.number(), cost: costParts }),
  ),
});
const usageExample = {
  organizationId: organizationExample.id,
  month: '2026-05',
  plan: 'starter',
  planPrice: 15,
  limit: 500,
  used: 11,
  remaining: 489,
  limitState: 'ok',
  messages: {
    in: { total: 5, service: 5, utility: 0, marketing: 0, authentication: 0 },
    out: { total: 6, service: 6, utility: 0, marketing: 0, authentication: 0, failed: 1 },
  },
  agentMessages: { in: 2, out: 4, failed: 0, templates: 1 },
  websiteChat: { in: 3, out: 3, total: 6 },
  cost: { provider: 0.055, meta: 0, rental: 1, agents: 0.0334, total: 1.0884 },
  margin: 13.9116,
  numbers: [
    {
      numberId: 'n1',
      phoneNumber: '+14155550100',
      provider: 'twilio',
      displayName: null,
      messagesIn: 5,
      messagesOut: 6,
      failedOut: 1,
      cost: { provider: 0.055, meta: 0, rental: 1, agents: 0.0334, total: 1.0884 },
    },
  ],
};

const poolNumber = z.looseObject({ number: e164, displayName: z.string().nullable(), isActive: z.boolean(), notes: z.string().nullable() });
const widget = z.looseObject({
  id: z.string(),
  organizationId: z.string(),
  publicKey: z.string(),
  name: z.string(),
  allowedOrigins: z.array(z.string()),
  greeting: z.string().nullable(),
  agentWhatsappNumbers: z.array(z.string()),
  handoverWhatsappNumber: z.string().nullable(),
  enableMultipleWhatsappChats: z.boolean(),
  inactivityTimeoutMinutes: z.number(),
  whatsappNumberPool: z.array(poolNumber),
  createdAt: isoTime,
  updatedAt: isoTime,
});
const widgetExample = {
  id: 'w1…',
  organizationId: organizationExample.id,
  publicKey: 'pk_live_7Hq2…',
  name: 'Website',
  allowedOrigins: ['https://shop.example'],
  greeting: 'Hi! How can we help?',
  agentWhatsappNumbers: ['+15550100101'],
  handoverWhatsappNumber: '+15550100001',
  enableMultipleWhatsappChats: true,
  inactivityTimeoutMinutes: 30,
  handoverTemplate: null,
  workingHours: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  offlineMessage: 'We are back at 9:00.',
  title: 'Lantern Lane Bikes',
  colors: { primary: '#0b7a5a' },
  whatsappNumberPool: [{ number: '+15550100011', displayName: 'Pool 1', isActive: true, notes: null, position: 0 }],
  createdAt: at,
  updatedAt: at,
};

const documentJson = z.looseObject({ id: z.string(), title: z.string(), sourceType: z.string(), createdAt: isoTime, characters: z.number() });
const documentExample = { id: 'd1…', title: 'Opening hours', sourceType: 'text', createdAt: at, characters: 412 };

const visitorMessage = z.looseObject({
  id: z.number().int(),
  author: z.enum(['visitor', 'bot', 'agent', 'system']),
  text: z.string().nullable(),
  createdAt: isoTime,
});
const visitorMessageExample = { id: 7, author: 'bot', text: 'We open at 9am.', createdAt: at };

const numberJson = z.looseObject({ id: z.string(), provider: z.string(), phoneNumber: z.string().nullable(), displayName: z.string().nullable() });
const numberExample = { id: 'n1…', provider: 'twilio', phoneNumber: '+14155550100', displayName: 'Lantern Lane Bikes', senderStatus: 'ONLINE' };
const training = z.looseObject({ trainedAt: isoTime.optional(), documents: z.number().optional(), chunks: z.number().optional() });
/** When the knowledge base was trained (null: never) and whether documents or entries changed since. */
const freshness = { trainedAt: isoTime.nullable(), changedSinceTraining: z.boolean(), knowledgeChangedAt: isoTime.nullable() };
const stream = (what: string) =>
  z.string().meta({ description: `text/event-stream: ${what}`, example: 'event: message\ndata: {"id":7,"author":"bot","text":"We open at 9am."}\n\n' });
/** Providers' webhooks: answered with what each provider expects (TwiML, an empty 200, the challenge). */
const webhookAck = z.string().meta({ description: 'What the provider expects back, once the event is stored', example: '<Response/>' });
const unroutedEvent = z.looseObject({ id: z.string(), provider: z.string(), reason: z.string(), createdAt: isoTime });

const agent = z.looseObject({
  id: z.string(),
  name: z.string(),
  number: z.string(),
  status: z.enum(['invited', 'active', 'stopped']),
  createdAt: isoTime,
  acceptedAt: z.string().nullable(),
});
const agentExample = { id: 'a1…', name: 'Maya', number: '+15550100101', status: 'active', createdAt: at, acceptedAt: at };
const removalEffect = z.object({
  handedOff: z.array(z.object({ ref: z.number(), to: z.array(z.string()) })),
  waiting: z.array(z.number()),
  summary: z.string(),
});
const removalExample = {
  handedOff: [{ ref: 282, to: ['Ben', 'Ana'] }],
  waiting: [283],
  summary: 'Rosa answers 2 open chats: 1 goes to Ben and Ana; 1 waits in the inbox for the next agent (nobody else can take it; the visitor is told).',
};
const connection = z.looseObject({ id: z.string(), provider: z.string(), createdAt: isoTime });
const connectionExample = { id: 'c1…', provider: 'twilio', createdAt: at };

/** What a destructive action does, in the sentences the dashboard's confirmation shows (preview) and the DELETE repeats. */
const summary = z.string().meta({ description: 'What it does, in sentences' });
const keyRevocation = { apiKey, sessions: z.number(), yours: z.boolean(), summary };
const keyRevocationExample = {
  apiKey: { ...apiKeyExample, name: 'ci' },
  sessions: 1,
  yours: false,
  summary:
    "Dashboards and scripts using key 'ci' stop working at once; it cannot be turned back on (issue a new key instead). 1 dashboard sign-in made with it ends.",
};
const widgetRemoval = {
  widget: z.looseObject({ id: z.string(), name: z.string(), allowedOrigins: z.array(z.string()) }),
  openChats: z.array(z.number()),
  visitorSessions: z.number(),
  poolNumbers: z.number(),
  summary,
};
const widgetRemovalExample = {
  widget: { id: 'w1…', name: 'Website chat', allowedOrigins: ['https://x.example'] },
  openChats: [282, 283, 290],
  visitorSessions: 41,
  poolNumbers: 2,
  summary:
    "The chat of widget 'Website chat' disappears from https://x.example. 3 open chats (#282, #283 and #290) are closed: the visitor and any agent are told, and the conversation stays in the inbox. 41 visitors lose their chat history. Its pool of 2 numbers is emptied (the numbers stay the organization's).",
};
const documentRemoval = { document: z.looseObject({ id: z.string(), title: z.string() }), passages: z.number(), trained: z.boolean(), summary };
const documentRemovalExample = {
  document: { id: 'd1…', title: 'Prices' },
  passages: 48,
  trained: true,
  summary: "'Prices' is deleted and 48 entries leave the knowledge base: the bot no longer answers from them. It is trained again at once without them.",
};
const numberRemoval = {
  number: z.looseObject({
    id: z.string(),
    provider: z.string(),
    phoneNumber: z.string().nullable(),
    kind: z.enum(['simulated', 'bought', 'own account', 'assigned', 'whapi channel']),
  }),
  widgets: z.array(z.object({ id: z.string(), name: z.string(), as: z.enum(['handover number', 'pool number']), handsOverFrom: z.string().nullable() })),
  closed: z.array(z.number()),
  moved: z.array(z.number()),
  inUse: z.boolean(),
  summary,
};
const numberRemovalExample = {
  number: { id: 'n1…', provider: 'twilio', phoneNumber: '+14155550142', providerId: 'PN…', kind: 'bought' },
  widgets: [{ id: 'w1…', name: 'Website chat', as: 'pool number', handsOverFrom: 'its pool (+14155550199)' }],
  closed: [],
  moved: [282],
  inUse: true,
  summary:
    "+14155550142 is released at Twilio: the platform stops renting it, and it may not be available to buy again. Widget 'Website chat' uses it as its pool number: it leaves the pool, and it hands over from its pool (+14155550199) instead. 1 open chat it carries to the agents (#282) moves to the widget's next number: the agents are asked again from there, or, with none free, it waits in the inbox.",
};

/** Response schemas by "METHOD /path" (the route's pattern). */
const handoverTemplateExample = {
  id: '6d2b0c1e-8f3a-4a57-9a0e-2b9f4c1d7e55',
  provider: 'twilio',
  account: "The platform's Twilio account",
  name: 'switchboard_handover_request_v1',
  language: 'en',
  status: 'pending',
  rejectionReason: null,
  updatedAt: at,
};
const handoverTemplate = z.looseObject({
  id: z.string(),
  provider: z.string(),
  account: z.string().meta({ description: 'whose provider account it is, in words' }),
  name: z.string(),
  language: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'paused', 'disabled']),
  rejectionReason: z.string().nullable(),
  updatedAt: isoTime,
});
const templatesAnswer = answer({ templates: z.array(handoverTemplate) }, { templates: [handoverTemplateExample] }, 'Handover templates and their review');
export const ANSWERS: Record<string, Record<number, z.ZodType>> = {
  'GET /api/admin/templates': { 200: templatesAnswer },
  'GET /api/organizations/:orgId/templates': { 200: templatesAnswer },
  'GET /api/organizations': {
    200: answer({ organizations: z.array(organization) }, { organizations: [organizationExample] }, 'The organizations this key sees'),
  },
  'POST /api/organizations': { 201: answer({ organization }, { organization: organizationExample }, 'Created') },
  'GET /api/organizations/:orgId': { 200: answer({ organization }, { organization: organizationExample }, 'The organization') },
  'PATCH /api/organizations/:orgId': { 200: answer({ organization }, { organization: organizationExample }, 'Changed') },
  'DELETE /api/organizations/:orgId': { 200: answer({ message: z.string() }, { message: 'Organization deleted.' }, 'Deleted') },
  'GET /api/whoami': {
    200: answer(
      { kind: z.enum(['platform', 'organization']), organizationId: z.string().optional() },
      { kind: 'organization', organizationId: organizationExample.id },
      'Who the key is',
    ),
  },
  'GET /api/organizations/:orgId/api-keys': { 200: answer({ apiKeys: z.array(apiKey) }, { apiKeys: [apiKeyExample] }, 'Keys, never their secret') },
  'POST /api/organizations/:orgId/api-keys': {
    201: answer({ key: z.string(), apiKey }, { key: 'sb_org_Ab12…', apiKey: apiKeyExample }, 'The key, shown this once'),
  },
  'GET /api/organizations/:orgId/conversations': {
    200: answer({ conversations: z.array(conversation) }, { conversations: [conversationExample] }, 'Newest activity first'),
  },
  'GET /api/conversations/:id/messages': { 200: answer({ messages: z.array(message) }, { messages: [messageExample] }, 'Oldest first') },
  'POST /api/conversations/:id/messages': {
    201: answer({ message }, { message: { ...messageExample, audience: 'contact', author: 'agent', status: 'queued', failure: null } }, 'Accepted for sending'),
  },
  'POST /api/conversations/:id/read': { 200: answer({ readUpTo: z.number().int() }, { readUpTo: 42 }, 'Read up to this message id') },
  'POST /api/conversations/:id/close': {
    200: answer(
      { conversation: z.looseObject({ id: z.string(), ref: z.number(), status: z.string(), closedAt: z.string().nullable() }) },
      { conversation: { id: 'c7d1…', ref: 282, status: 'closed', closedAt: at } },
      'Closed',
    ),
  },
  'POST /api/conversations/:id/hand-back': {
    200: answer(
      { conversation: z.looseObject({ id: z.string(), ref: z.number(), status: z.string(), closedAt: z.string().nullable() }) },
      { conversation: { id: 'c7d1…', ref: 282, status: 'bot', closedAt: null } },
      'The bot answers again',
    ),
  },
  'GET /api/organizations/:orgId/usage': { 200: answer({ usage }, { usage: usageExample }, 'The month’s usage and cost') },
  'GET /api/organizations/:orgId/widgets': { 200: answer({ widgets: z.array(widget) }, { widgets: [widgetExample] }, 'The widgets') },
  'POST /api/organizations/:orgId/widgets': { 201: answer({ widget }, { widget: widgetExample }, 'Created') },
  'GET /api/widgets/:id': { 200: answer({ widget }, { widget: widgetExample }, 'The widget') },
  'PATCH /api/widgets/:id': { 200: answer({ widget }, { widget: widgetExample }, 'Changed') },
  'GET /api/organizations/:orgId/knowledge': {
    200: answer(
      { documents: z.array(documentJson), ...freshness },
      { documents: [documentExample], trainedAt: at, changedSinceTraining: false, knowledgeChangedAt: at, training: null },
      'The documents',
    ),
  },
  'POST /api/organizations/:orgId/knowledge': { 201: answer({ document: documentJson }, { document: documentExample }, 'Added') },
  'POST /api/organizations/:orgId/ask': {
    200: answer(
      {
        answer: z.string(),
        sources: z.array(z.looseObject({ documentId: z.string(), title: z.string() })),
        confidence: z.number(),
        confident: z.boolean(),
        notice: z.string().optional().meta({ description: 'Said plainly when the knowledge base has never been trained' }),
      },
      { answer: 'We open at 9am.', sources: [{ documentId: 'd1…', title: 'Opening hours', chunkId: 'd1…:0' }], confidence: 0.82, confident: true },
      'The answer and its sources',
    ),
  },
  'GET /api/session': {
    200: answer(
      { signedIn: z.boolean(), kind: z.string().optional() },
      { signedIn: true, kind: 'organization', organizationId: organizationExample.id },
      'Whether the session cookie stands',
    ),
  },
  'POST /api/session': { 200: answer({ kind: z.string() }, { kind: 'platform' }, 'Signed in: the HttpOnly session cookie is set') },
  'GET /api/organizations/:orgId/numbers': {
    200: answer({ numbers: z.array(numberJson) }, { numbers: [{ ...numberExample, sendErrors: 0 }] }, 'Numbers with their health'),
  },
  'PATCH /api/organizations/:orgId/numbers/:numberId': { 200: answer({ number: numberJson }, { number: numberExample }, 'Changed') },
  'GET /api/organizations/search-numbers': {
    200: answer(
      { numbers: z.array(z.looseObject({ phoneNumber: z.string() })), total: z.number() },
      { numbers: [{ phoneNumber: '+14155550123', locality: 'San Francisco' }], total: 1 },
      'Numbers to buy',
    ),
  },
  'GET /api/admin/trial-number': {
    200: answer({ number: numberJson.nullable() }, { number: { ...numberExample, phoneNumber: '+14155238886' } }, 'The shared trial number'),
  },
  'PUT /api/admin/trial-number': {
    200: answer({ number: numberJson }, { number: { ...numberExample, phoneNumber: '+14155238886' } }, 'The shared trial number'),
  },
  'GET /api/organizations/:orgId/usage/history': {
    200: answer(
      { months: z.array(z.looseObject({ month: z.string(), messagesIn: z.number(), messagesOut: z.number(), cost: costParts, margin: z.number() })) },
      { months: [{ month: '2026-05', messagesIn: 5, messagesOut: 6, cost: usageExample.cost, margin: 13.945 }] },
      'Month by month',
    ),
  },
  'POST /api/organizations/:orgId/train': { 200: answer({}, { trainedAt: at, documents: 6, chunks: 31, byMeaning: true }, 'Trained') },
  'GET /api/organizations/:orgId/train': {
    200: answer(
      { training: training.nullable(), ...freshness },
      { training: { phase: 'done', trainedAt: at, documents: 6, chunks: 31 }, trainedAt: at, changedSinceTraining: true, knowledgeChangedAt: at },
      'The latest training',
    ),
  },
  'POST /api/conversations/:id/messages/:messageId/wrong': {
    200: answer(
      { suggestion: z.enum(['answered', 'awaiting']), message: z.string() },
      { suggestion: 'answered', message: "Marked wrong: the question and the agent's answer are suggested in the knowledge base." },
      'Marked wrong',
    ),
  },
  'GET /api/organizations/:orgId/knowledge/:documentId/removal': {
    200: answer(documentRemoval, documentRemovalExample, 'What deleting the document would do; nothing changed'),
  },
  'DELETE /api/organizations/:orgId/knowledge/:documentId': {
    200: answer({ message: z.string(), ...documentRemoval }, { message: 'Document deleted.', ...documentRemovalExample }, 'Deleted'),
  },
  'GET /api/organizations/:orgId/api-keys/:keyId/revocation': {
    200: answer(keyRevocation, keyRevocationExample, 'What revoking the key would do; nothing changed'),
  },
  'DELETE /api/organizations/:orgId/api-keys/:keyId': { 200: answer(keyRevocation, keyRevocationExample, 'Revoked (twice: nothing changes)') },
  'GET /api/widgets/:id/removal': { 200: answer(widgetRemoval, widgetRemovalExample, 'What deleting the widget would do; nothing changed') },
  'DELETE /api/widgets/:id': { 200: answer(widgetRemoval, widgetRemovalExample, 'Deleted; its open chats were closed first') },
  'GET /api/organizations/:orgId/numbers/:numberId/removal': {
    200: answer(numberRemoval, numberRemovalExample, 'What removing the number would do; nothing changed'),
  },
  'DELETE /api/organizations/:orgId/numbers/:numberId': {
    200: answer({ removed: z.literal(true), ...numberRemoval }, { removed: true, ...numberRemovalExample }, 'Removed as previewed'),
  },
  'GET /api/organizations/:orgId/number-options': {
    200: answer(
      { options: z.object({ simulated: z.boolean(), buyTwilio: z.boolean(), assignMeta: z.boolean(), whapiWithoutToken: z.boolean() }) },
      { options: { simulated: false, buyTwilio: true, assignMeta: false, whapiWithoutToken: false } },
      'What applies on this platform for this caller',
    ),
  },
  'GET /api/admin/unrouted-events': {
    200: answer(
      { events: z.array(unroutedEvent) },
      { events: [{ id: 'u1…', provider: 'twilio', reason: 'No organization has +14155550999.', createdAt: at }] },
      'Events no organization took',
    ),
  },
  'POST /api/admin/unrouted-events/:id/replay': {
    200: answer({ stored: z.number(), duplicates: z.number(), statuses: z.number() }, { stored: 1, duplicates: 0, statuses: 0 }, 'Replayed'),
  },
  'POST /api/widgets/:id/pool': { 201: answer({ poolNumber }, { poolNumber: widgetExample.whatsappNumberPool[0] }, 'Added to the pool') },
  'PATCH /api/widgets/:id/pool/:number': { 200: answer({ poolNumber }, { poolNumber: widgetExample.whatsappNumberPool[0] }, 'Changed') },
  'GET /api/widgets/:id/refused-origins': {
    200: answer(
      { origins: z.array(z.object({ origin: z.string(), count: z.number(), firstSeenAt: z.string(), lastSeenAt: z.string() })) },
      { origins: [{ origin: 'https://blog.shop.example', count: 4, firstSeenAt: at, lastSeenAt: at }] },
      'Websites refused lately (not in allowedOrigins), most recent first; at most 20',
    ),
  },
  'GET /api/widgets/:id/number-stats': {
    200: answer(
      {
        numbers: z.array(
          z.looseObject({ number: z.string(), openConversations: z.number(), assignments24h: z.number(), lastSendError: z.string().nullable() }),
        ),
      },
      {
        numbers: [
          {
            number: '+15550100011',
            displayName: 'Pool 1',
            isActive: true,
            openConversations: 1,
            assignments24h: 3,
            assignmentsTotal: 9,
            messagesIn: 12,
            messagesOut: 14,
            lastUsedAt: at,
            lastSendError: null,
          },
        ],
      },
      'Per pool number (and the handover number)',
    ),
  },
  'GET /api/organizations/:orgId/events': { 200: stream('`message` and `conversation` events of the organization') },
  'GET /api/widget/sessions/:sessionId/events': { 200: stream('`message` events {id, author, text, createdAt} and `status` events') },
  'GET /api/media/:id': { 200: z.string().meta({ description: 'The file, with its content type' }) },
  'POST /api/webhooks/twilio': { 200: webhookAck },
  'POST /api/webhooks/meta': { 200: webhookAck },
  'GET /api/webhooks/meta': { 200: z.string().meta({ description: "Meta's subscription check: the hub.challenge echoed", example: '1158201444' }) },
  'POST /api/webhooks/whapi': { 200: webhookAck },
  'POST /api/webhooks/sim': { 200: webhookAck },
  'POST /api/webhooks/whatsapp': { 200: webhookAck },
  'GET /api/organizations/:orgId/agents': {
    200: answer(
      { agents: z.array(agent), agentInvitation: z.looseObject({ code: z.string(), sendTo: z.string().nullable(), text: z.string() }) },
      { agents: [agentExample], agentInvitation: { code: 'amber-otter', sendTo: '+15550100001', text: 'ACCEPT amber-otter' } },
      'The agents, and the message that makes an invited agent active',
    ),
  },
  'POST /api/organizations/:orgId/agents': { 201: answer({ agent }, { agent: { ...agentExample, status: 'invited', acceptedAt: null } }, 'Invited') },
  'PATCH /api/organizations/:orgId/agents/:agentId': {
    200: answer({ agent, ...removalEffect.partial().shape }, { agent: agentExample }, 'Changed (a new number: the open chats handed on, as on removal)'),
  },
  'GET /api/organizations/:orgId/agents/:agentId/removal': {
    200: answer({ agent, ...removalEffect.shape }, { agent: agentExample, ...removalExample }, 'What removing the agent would do; nothing changed'),
  },
  'DELETE /api/organizations/:orgId/agents/:agentId': {
    200: answer(removalEffect.shape, removalExample, 'Removed; each open chat went to the other agents, or waits in the inbox'),
  },
  'GET /api/organizations/:orgId/connections': {
    200: answer({ connections: z.array(connection) }, { connections: [connectionExample] }, 'Own provider accounts, never their credentials'),
  },
  'POST /api/organizations/:orgId/connections': {
    201: answer({ connection }, { connection: connectionExample }, 'Checked at the provider and kept, encrypted'),
  },
  'POST /api/organizations/:orgId/numbers': {
    201: answer(
      { number: numberJson },
      { number: { ...numberExample, provider: 'simulator', phoneNumber: '+15550100021', owner: 'organization', connection: 'platform' } },
      'Registered',
    ),
  },
  'POST /api/widget/:publicKey/sessions': {
    201: answer({ sessionId: z.string(), token: z.string() }, { sessionId: 'visitor_abc123def456', token: 'vt_…' }, 'The session and its token'),
  },
  'GET /api/widget/sessions/:sessionId/messages': {
    200: answer({ messages: z.array(visitorMessage) }, { messages: [visitorMessageExample] }, 'The visitor history'),
  },
  'POST /api/widget/sessions/:sessionId/messages': {
    201: answer({ message: visitorMessage }, { message: { ...visitorMessageExample, author: 'visitor', text: 'When do you open?' } }, 'Received'),
  },
  'POST /api/widget/sessions/:sessionId/handover': {
    200: answer(
      { conversationRef: z.number().int(), assignedWhatsappNumber: z.string().nullable() },
      { conversationRef: 282, assignedWhatsappNumber: '+15550100011' },
      'Agents are being told',
    ),
  },
};

/** The documented answers of one operation: its own (or `{ok: true, …}`), and the error answer. */
export function answersOf(method: string, url: string): Record<string, z.ZodType> {
  return { ...(ANSWERS[`${method} ${url}`] ?? { 200: plainOk }), '4xx': errorAnswer };
}
