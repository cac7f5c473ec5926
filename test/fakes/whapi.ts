// A fake Whapi.cloud gate (providers.md §3.1): text and media sends, the chat's messages list, media
// download, channel health, behind the channel's Bearer token.
import { randomBytes } from 'node:crypto';
import { bearerToken, type FakeResponse, type FakeServer, type RecordedRequest, startFakeServer } from './server.js';

export interface FakeWhapiOptions {
  token?: string;
  channelId?: string;
  /** the linked WhatsApp account's number, digits only as /health reports `user.id` */
  phoneDigits?: string;
}

export interface FakeWhapi extends FakeServer {
  token: string;
  channelId: string;
  /** Messages accepted: id → the request body and the endpoint's type. */
  sent: Map<string, { type: string; body: Record<string, unknown> }>;
  addMedia(bytes: Buffer, mimeType: string): string;
}

function whapiError(status: number, message: string, details?: string): FakeResponse {
  return { status, body: { error: { code: status, message, ...(details ? { details } : {}) } } };
}

const SEND_TYPES = new Set(['text', 'image', 'video', 'audio', 'voice', 'document', 'sticker']);

export async function startFakeWhapi(options: FakeWhapiOptions = {}): Promise<FakeWhapi> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const channelId = options.channelId ?? 'ACMEGEAR-7QK2X';
  const sent = new Map<string, { type: string; body: Record<string, unknown> }>();
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  /** What GET /messages/list/{ChatID} answers from, oldest first. */
  const listed: Array<Record<string, unknown>> = [];

  const authed =
    (handler: (req: RecordedRequest, params: Record<string, string>) => FakeResponse) =>
    (req: RecordedRequest, params: Record<string, string>): FakeResponse =>
      bearerToken(req) === token ? handler(req, params) : whapiError(401, 'Unauthorized', 'The channel token is missing or wrong.');

  const server = await startFakeServer([
    {
      // Presence in a chat: "typing…", "recording…" or paused (providers-templates.md A2).
      method: 'PUT',
      pattern: '/presences/:chatId',
      handler: authed((req, { chatId }) => {
        if (!/^\d{6,15}@s\.whatsapp\.net$/.test(chatId!)) return whapiError(400, 'Bad request', 'The chat id is not a personal chat.');
        const body = req.body;
        if (!['typing', 'recording', 'pause'].includes(body?.presence)) return whapiError(400, 'Bad request', 'presence must be typing, recording or pause.');
        if (body.delay !== undefined && !(Number.isInteger(body.delay) && body.delay >= 0)) return whapiError(400, 'Bad request', 'delay must be seconds.');
        return { status: 200, body: { success: true } };
      }),
    },
    {
      method: 'POST',
      pattern: '/messages/:type',
      handler: authed((req, { type }) => {
        if (!SEND_TYPES.has(type!)) return whapiError(404, 'Not found', `No endpoint /messages/${type}.`);
        const body = req.body;
        if (typeof body !== 'object' || body === null) return whapiError(400, 'Bad request', 'The body must be JSON.');
        const to = body.to;
        if (typeof to !== 'string' || !/^(\d{6,15}|\d{6,15}@s\.whatsapp\.net|[\d-]+@g\.us)$/.test(to))
          return whapiError(400, 'Bad request', 'to must be a phone number or chat id.');
        if (type === 'text' ? typeof body.body !== 'string' || body.body === '' : typeof body.media !== 'string') {
          return whapiError(400, 'Bad request', type === 'text' ? 'body is required.' : 'media is required.');
        }
        const id = randomBytes(14).toString('base64url');
        sent.set(id, { type: type!, body });
        const chatId = to.includes('@') ? to : `${to}@s.whatsapp.net`;
        const message = {
          id,
          from_me: true,
          type,
          chat_id: chatId,
          timestamp: Math.floor(Date.now() / 1000),
          source: 'api',
          status: 'pending',
          ...(type === 'text' ? { text: { body: body.body } } : { [type!]: { link: body.media, caption: body.caption } }),
        };
        listed.push(message);
        return { status: 200, body: { sent: true, message } };
      }),
    },
    {
      // Newest first; count/offset page, time_from/time_to (Unix seconds) and from_me filter.
      method: 'GET',
      pattern: '/messages/list/:chatId',
      handler: authed((req, { chatId }) => {
        const { count = '100', offset = '0', time_from: from, time_to: until, from_me: fromMe } = req.query;
        const matching = [...listed]
          .reverse()
          .filter((m) => m.chat_id === chatId)
          .filter((m) => fromMe === undefined || String(m.from_me) === fromMe)
          .filter((m) => (from === undefined || (m.timestamp as number) >= Number(from)) && (until === undefined || (m.timestamp as number) <= Number(until)));
        const page = matching.slice(Number(offset), Number(offset) + Number(count));
        return { status: 200, body: { messages: page, count: page.length, total: matching.length, offset: Number(offset) } };
      }),
    },
    {
      method: 'GET',
      pattern: '/media/:mediaId',
      handler: authed((_req, { mediaId }) => {
        const file = media.get(mediaId!);
        return file ? { status: 200, body: file.bytes, headers: { 'content-type': file.mimeType } } : whapiError(404, 'Not found', 'Media not found.');
      }),
    },
    {
      method: 'GET',
      pattern: '/health',
      handler: authed(() => ({
        status: 200,
        body: { channel_id: channelId, status: { code: 4, text: 'AUTH' }, user: { id: options.phoneDigits ?? '14155550188', name: 'Acme Gear' } },
      })),
    },
  ]);

  return {
    ...server,
    token,
    channelId,
    sent,
    addMedia(bytes, mimeType) {
      const id = `${mimeType.split('/')[1] ?? 'bin'}-${randomBytes(10).toString('hex')}`;
      media.set(id, { bytes, mimeType });
      return id;
    },
  };
}
