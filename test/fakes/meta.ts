// A fake Meta Graph API (providers.md §2.5–§2.6): sends, a WABA's phone numbers, one number, and
// the two-step media download, all behind Bearer tokens.
import { randomBytes } from 'node:crypto';
import { type FakeMetaTemplates, messageTemplateRoutes } from './meta-templates.js';
import { bearerToken, type FakeResponse, type FakeServer, type RecordedRequest, startFakeServer } from './server.js';

export interface FakePhoneNumber {
  id: string;
  display_phone_number: string;
  verified_name: string;
  code_verification_status?: string;
  quality_rating?: string;
  platform_type?: string;
  status?: string;
}

export interface FakeMetaOptions {
  accessToken?: string;
  wabaId?: string;
  phoneNumbers?: FakePhoneNumber[];
}

export interface FakeMeta extends FakeServer, FakeMetaTemplates {
  accessToken: string;
  wabaId: string;
  phoneNumbers: FakePhoneNumber[];
  /** Messages accepted: wamid → the request body. */
  sent: Map<string, Record<string, unknown>>;
  /** Makes a media id downloadable; returns the id. */
  addMedia(bytes: Buffer, mimeType: string): string;
}

export function graphError(status: number, code: number, message: string, details?: string): FakeResponse {
  return {
    status,
    body: {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
        fbtrace_id: `A${randomBytes(8).toString('base64url')}`,
      },
    },
  };
}

const DEFAULT_NUMBERS: FakePhoneNumber[] = [
  {
    id: '106540352242922',
    display_phone_number: '+1 555-078-3881',
    verified_name: 'Acme Outdoor Gear',
    code_verification_status: 'VERIFIED',
    quality_rating: 'GREEN',
    platform_type: 'CLOUD_API',
    status: 'CONNECTED',
  },
  {
    id: '106540352242923',
    display_phone_number: '+1 555-078-3882',
    verified_name: 'Acme Outdoor Gear West',
    code_verification_status: 'VERIFIED',
    quality_rating: 'GREEN',
    platform_type: 'CLOUD_API',
    status: 'CONNECTED',
  },
];

const SEND_TYPES = new Set(['text', 'template', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'reaction']);

export async function startFakeMeta(options: FakeMetaOptions = {}): Promise<FakeMeta> {
  const accessToken = options.accessToken ?? `EAAG${randomBytes(24).toString('base64url')}`;
  const wabaId = options.wabaId ?? '102290129340398';
  const phoneNumbers = options.phoneNumbers ?? DEFAULT_NUMBERS.map((n) => ({ ...n }));
  const sent = new Map<string, Record<string, unknown>>();
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  let url = '';

  const authed =
    (handler: (req: RecordedRequest, params: Record<string, string>) => FakeResponse) =>
    (req: RecordedRequest, params: Record<string, string>): FakeResponse => {
      if (bearerToken(req) !== accessToken) return graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
      if (params.version && !/^v\d+\.\d+$/.test(params.version)) return graphError(400, 2500, `Unknown path components: /${params.version}`);
      return handler(req, params);
    };
  const unknownObject = (id: string) =>
    graphError(
      400,
      100,
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    );

  const messageTemplates = messageTemplateRoutes(wabaId, authed, graphError);
  const server = await startFakeServer([
    ...messageTemplates.routes,
    {
      method: 'POST',
      pattern: '/:version/:phoneNumberId/messages',
      handler: authed((req, { phoneNumberId }) => {
        if (!phoneNumbers.some((n) => n.id === phoneNumberId)) return unknownObject(phoneNumberId!);
        const body = req.body;
        if (typeof body !== 'object' || body === null) return graphError(400, 100, 'Invalid parameter', 'The request body must be JSON.');
        // A read receipt, with "typing…" when typing_indicator is {type: "text"} (providers-templates.md A2).
        if (body.status === 'read' && typeof body.message_id === 'string') {
          if (body.messaging_product !== 'whatsapp') return graphError(400, 100, 'Invalid parameter', 'messaging_product must be whatsapp.');
          if (body.typing_indicator !== undefined && body.typing_indicator?.type !== 'text')
            return graphError(400, 100, 'Invalid parameter', 'typing_indicator.type must be text.');
          return { status: 200, body: { success: true } };
        }
        if (body.messaging_product !== 'whatsapp') return graphError(400, 100, 'Invalid parameter', 'messaging_product must be whatsapp.');
        const recipient = body.to ?? body.recipient;
        if (typeof recipient !== 'string' || recipient === '') return graphError(400, 100, 'Invalid parameter', 'The parameter to is required.');
        if (body.to !== undefined && !/^\+?\d{8,15}$/.test(body.to))
          return graphError(400, 100, 'Invalid parameter', `${body.to} is not a valid WhatsApp number.`);
        if (!SEND_TYPES.has(body.type) || typeof body[body.type] !== 'object')
          return graphError(400, 100, 'Invalid parameter', `Unsupported message type ${body.type}.`);
        const wamid = `wamid.${Buffer.from(`${phoneNumberId}.${randomBytes(12).toString('hex')}`).toString('base64')}`;
        sent.set(wamid, body);
        const waId = typeof body.to === 'string' ? body.to.replace(/^\+/, '') : undefined;
        return {
          status: 200,
          body: {
            messaging_product: 'whatsapp',
            contacts: [{ input: recipient, ...(waId ? { wa_id: waId } : {}) }],
            messages: [{ id: wamid, ...(body.type === 'template' ? { message_status: 'accepted' } : {}) }],
          },
        };
      }),
    },
    {
      method: 'GET',
      pattern: '/:version/:objectId/phone_numbers',
      handler: authed((_req, { objectId }) =>
        objectId === wabaId
          ? {
              status: 200,
              body: {
                data: phoneNumbers.map((n) => ({ ...n, throughput: { level: 'STANDARD' } })),
                paging: { cursors: { before: 'QVFIUmFk', after: 'QVFIUmFl' } },
              },
            }
          : unknownObject(objectId!),
      ),
    },
    {
      method: 'GET',
      pattern: '/:version/:objectId',
      handler: authed((_req, { objectId }) => {
        const number = phoneNumbers.find((n) => n.id === objectId);
        if (number) return { status: 200, body: { ...number, throughput: { level: 'STANDARD' } } };
        const file = media.get(objectId!);
        if (file) {
          return {
            status: 200,
            body: {
              url: `${url}/lookaside/whatsapp_business/${objectId}`,
              mime_type: file.mimeType,
              sha256: 'c0ffee',
              file_size: file.bytes.length,
              id: objectId,
              messaging_product: 'whatsapp',
            },
          };
        }
        return unknownObject(objectId!);
      }),
    },
    {
      method: 'GET',
      pattern: '/lookaside/whatsapp_business/:mediaId',
      handler: authed((_req, { mediaId }) => {
        const file = media.get(mediaId!);
        return file ? { status: 200, body: file.bytes, headers: { 'content-type': file.mimeType } } : { status: 404, body: 'not found' };
      }),
    },
  ]);
  url = server.url;

  return {
    ...server,
    ...messageTemplates.state,
    reset() {
      server.reset();
      messageTemplates.state.clearTemplates();
    },
    accessToken,
    wabaId,
    phoneNumbers,
    sent,
    addMedia(bytes, mimeType) {
      const id = String(1_000_000_000_000_000 + media.size + Math.floor(Math.random() * 1_000_000));
      media.set(id, { bytes, mimeType });
      return id;
    },
  };
}
