// Whapi.cloud wire shapes (providers.md §3). Only the fields we read are typed.

export interface WhapiMediaObject {
  id?: string;
  link?: string;
  mime_type?: string;
  caption?: string;
  file_name?: string;
  filename?: string;
}

export interface WhapiMessage {
  id?: string;
  /** true for messages the channel itself sent (API or phone): not inbound */
  from_me?: boolean;
  type?: string;
  chat_id?: string;
  /** Unix seconds, a number */
  timestamp?: number;
  source?: string;
  from?: string;
  from_name?: string;
  text?: { body?: string };
  image?: WhapiMediaObject;
  video?: WhapiMediaObject;
  gif?: WhapiMediaObject;
  audio?: WhapiMediaObject;
  voice?: WhapiMediaObject;
  document?: WhapiMediaObject;
  sticker?: WhapiMediaObject;
  location?: { latitude?: number; longitude?: number; address?: string; name?: string };
  contact?: unknown;
  contact_list?: unknown;
  link_preview?: { body?: string };
  context?: { quoted_id?: string };
}

export interface WhapiStatus {
  id?: string;
  status?: string;
  recipient_id?: string;
  /** Unix seconds, a string here */
  timestamp?: string;
  errors?: { code?: number; message?: string; details?: string }[];
}

export interface WhapiWebhookPayload {
  messages?: WhapiMessage[];
  statuses?: WhapiStatus[];
  event?: { type?: string; event?: string };
  channel_id?: string;
}

export interface WhapiSendResponse {
  sent?: boolean;
  message?: { id?: string; status?: string };
}

/** GET /messages/list/{ChatID}: newest first. */
export interface WhapiMessagesList {
  messages?: Array<WhapiMessage & { status?: string }>;
  count?: number;
  total?: number;
  offset?: number;
}

export interface WhapiErrorBody {
  error?: { code?: number; message?: string; details?: string };
}
