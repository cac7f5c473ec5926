// Meta WhatsApp Cloud API wire shapes (providers.md §2). Only the fields we read are typed.

export interface MetaWebhookPayload {
  object?: string;
  entry?: MetaEntry[];
}

export interface MetaEntry {
  /** WABA id */
  id?: string;
  changes?: { field?: string; value?: MetaChangeValue }[];
}

export interface MetaChangeValue {
  messaging_product?: string;
  /** display_phone_number is digits only here (the phone numbers API formats it for people). */
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: { profile?: { name?: string }; wa_id?: string; user_id?: string; username?: string }[];
  messages?: MetaMessage[];
  statuses?: MetaStatus[];
}

export interface MetaMediaObject {
  id?: string;
  mime_type?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
}

export interface MetaMessage {
  /** sender's wa_id (digits); absent for a user known only by username */
  from?: string;
  /** business-scoped user id (BSUID), from 2026 */
  user_id?: string;
  username?: string;
  id?: string;
  /** Unix seconds, as a string */
  timestamp?: string;
  type?: string;
  text?: { body?: string };
  image?: MetaMediaObject;
  video?: MetaMediaObject;
  audio?: MetaMediaObject;
  document?: MetaMediaObject;
  sticker?: MetaMediaObject;
  location?: { latitude?: number; longitude?: number; name?: string; address?: string; url?: string };
  contacts?: unknown[];
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
    nfm_reply?: { body?: string; response_json?: string };
  };
  button?: { payload?: string; text?: string };
  reaction?: { message_id?: string; emoji?: string };
  context?: { from?: string; id?: string; forwarded?: boolean };
}

export interface MetaStatus {
  id?: string;
  status?: string;
  timestamp?: string;
  recipient_id?: string;
  errors?: { code?: number; title?: string; message?: string; error_data?: { details?: string } }[];
  /** the reference we gave on send, echoed */
  biz_opaque_callback_data?: string;
}

/** Graph error body. */
export interface GraphErrorBody {
  error?: { message?: string; type?: string; code?: number; error_subcode?: number; error_data?: { details?: string }; fbtrace_id?: string };
}

/** POST /{phone_number_id}/messages success. */
export interface MetaSendResponse {
  messaging_product?: string;
  contacts?: { input?: string; wa_id?: string }[];
  messages?: { id?: string; message_status?: string }[];
}

/** GET /{media-id}. */
export interface MetaMediaInfo {
  url?: string;
  mime_type?: string;
  sha256?: string;
  file_size?: number;
  id?: string;
}
