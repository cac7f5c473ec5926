// Twilio's wire shapes (providers.md §1). Webhooks are form fields, so every value is a string;
// Twilio adds fields without notice, hence the index signature.

/** Inbound message webhook (§1.1) and status callback (§1.2) fields we read. */
export interface TwilioWebhookFields {
  MessageSid?: string;
  SmsSid?: string;
  AccountSid?: string;
  MessagingServiceSid?: string;
  From?: string;
  To?: string;
  Body?: string;
  NumMedia?: string;
  MediaUrl0?: string;
  MediaContentType0?: string;
  ProfileName?: string;
  WaId?: string;
  MessageType?: string;
  ButtonText?: string;
  ButtonPayload?: string;
  OriginalRepliedMessageSid?: string;
  Latitude?: string;
  Longitude?: string;
  Address?: string;
  Label?: string;
  /** Present on status callbacks only: queued, sent, delivered, read, failed, undelivered, … */
  MessageStatus?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
  ChannelStatusMessage?: string;
  [field: string]: string | undefined;
}

/** Form fields as decoded; a repeated key (e.g. MediaUrl on sends) keeps all its values. */
export type TwilioParams = Record<string, string | string[]>;

/** Error body of the REST API (§1.4). */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info?: string;
  status: number;
}
