// Table types for Kysely. Timestamps are ISO-8601 UTC strings (same on SQLite and PostgreSQL,
// sortable as text); booleans are 0/1 integers; JSON is stored as text.
import type { Generated, Insertable, Selectable } from 'kysely';

export type Bool = 0 | 1;

export interface OrganizationTable {
  id: string;
  name: string;
  description: string | null;
  business_info: string | null;
  /** trial | starter | business */
  plan: string;
  /** `join <code>` binds a customer to this organization on the shared trial number. */
  join_code: string;
  /** extra instructions given to the LLM answerer */
  instructions: string | null;
  /** last conversation reference handed out (#1, #2, …) */
  last_conversation_ref: number;
  /** seconds; 0 = off. Drops a repeat of the same text from the same sender within this window. */
  dedupe_window_seconds: number;
  /** what an agent sends from their own phone to accept (`ACCEPT <code>`); drawn on first use (121) */
  agent_code: Generated<string | null>;
  /** last visitor number handed out (`Visitor 3`) */
  last_visitor_number: Generated<number>;
  /** when a document was last added or removed, or an entry edited (301); null: not since the migration */
  knowledge_changed_at: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

/** A person who answers handed-over chats from their own WhatsApp (121). */
export interface AgentTable {
  id: string;
  organization_id: string;
  name: string;
  /** E.164 of the agent's own phone */
  number: string;
  /** invited (nothing is sent to them) | active (accepted from that phone) | stopped (sent STOP AGENT) */
  status: string;
  created_at: string;
  accepted_at: string | null;
}

export interface ApiKeyTable {
  id: string;
  organization_id: string;
  /** sha256 hex of the key; the key itself is shown once */
  key_hash: string;
  prefix: string;
  /** the person the key stands for (`Sam`), who signs inbox replies made with it (migration 231) */
  name: Generated<string | null>;
  created_at: string;
  revoked_at: string | null;
}

/** A dashboard sign-in (migration 091): the HttpOnly cookie's token, standing for the key it was exchanged for. */
export interface DashboardSessionTable {
  /** sha256 hex of the cookie's token; the token itself is only in the browser's cookie */
  token_hash: string;
  principal: 'platform' | 'organization';
  /** sha256 hex of the key signed in with: a revoked (or changed platform) key ends the session */
  key_hash: string;
  created_at: string;
  expires_at: string;
}

export interface ConnectionTable {
  id: string;
  organization_id: string | null;
  /** twilio | meta | whapi */
  provider: string;
  /** AES-256-GCM, base64 of iv|tag|ciphertext of the JSON credentials */
  credentials_encrypted: string;
  created_at: string;
}

export interface NumberTable {
  id: string;
  /** null: a platform number (shared trial sender, default sender) */
  organization_id: string | null;
  provider: string;
  /** E.164; null for a Whapi channel whose number is unknown */
  phone_number: string | null;
  /** Twilio PN… sid, Meta phone_number_id, Whapi channel id, or the E.164 for the simulator */
  provider_id: string;
  display_name: string | null;
  connection_id: string | null;
  /** pending | online | offline: WhatsApp sender registration state */
  sender_status: string;
  /** the shared trial number all trial organizations use with `join <code>` */
  is_shared_trial: Bool;
  /** a dedicated number rented for the organization (counts toward rental cost) */
  is_dedicated: Bool;
  created_at: string;
}

export interface ContactTable {
  id: string;
  organization_id: string;
  /** whatsapp | visitor */
  kind: string;
  /** E.164, null for username-only WhatsApp users and visitors */
  phone: string | null;
  /** provider identity when there is no phone (WhatsApp username / BSUID, or visitor session id) */
  external_id: string | null;
  name: string | null;
  email: string | null;
  /** visitors: numbered within the organization, for `Visitor 3` when there is no name */
  visitor_number: Generated<number | null>;
  created_at: string;
}

export interface ConversationTable {
  id: string;
  organization_id: string;
  /** #282: unique per organization */
  ref: number;
  contact_id: string;
  /** whatsapp | widget */
  channel: string;
  /** bot | waiting_agent | agent | closed */
  status: string;
  /** the business number the contact writes to (whatsapp channel) */
  number_id: string | null;
  widget_id: string | null;
  /** E.164 of the business number that carries this handover to the agents */
  assigned_whatsapp_number: string | null;
  /** E.164 of the agent who claimed it */
  agent_number: string | null;
  handed_over_at: string | null;
  last_message_at: string;
  created_at: string;
  closed_at: string | null;
  /** the newest message id seen in the inbox; the contact's later messages are unread */
  read_up_to: Generated<number>;
  /** when the organization's other agents were alerted because nobody claimed it in time */
  escalated_at: Generated<string | null>;
}

export interface MessageTable {
  id: Generated<number>;
  organization_id: string | null;
  conversation_id: string | null;
  /** in | out */
  direction: string;
  /** contact | visitor | bot | agent | system */
  author: string;
  /** contact: the conversation's customer or visitor; agent: an agent's phone (notifications, forwards, agent replies) */
  audience: string;
  body: string | null;
  /** JSON: {type, url?, mimeType?, caption?, filename?, latitude?, longitude?, …} */
  media: string | null;
  provider: string | null;
  provider_message_id: string | null;
  /** the provider id of the message this one replies to (swipe-reply context) */
  reply_to_provider_message_id: string | null;
  number_id: string | null;
  from_address: string | null;
  to_address: string | null;
  /** received | queued | sent | delivered | read | failed */
  status: string;
  send_success: Bool | null;
  send_error: string | null;
  error_code: string | null;
  /** service | utility | marketing | authentication — Meta's billing category */
  category: string;
  /** dollars */
  cost: number;
  idempotency_key: string | null;
  /** when the last provider call began: set, a re-run first asks the provider whether it arrived */
  send_started_at: string | null;
  /** who signed an inbox reply (`Sam`, `Operator`); agents' own replies are named by their number (migration 231) */
  author_name: Generated<string | null>;
  /** the month (YYYY-MM) this message counted toward the plan in; null: not counted (agents, widget, failed) */
  plan_month: string | null;
  /** why this customer message still waits for an answer (`limit_reached`); null: nothing pending */
  unanswered: string | null;
  created_at: string;
  updated_at: string;
}

export interface PlanUsageTable {
  organization_id: string;
  /** YYYY-MM, UTC */
  month: string;
  /** customer messages counted toward the plan this month (messages.plan_month) */
  customer_messages: Generated<number>;
}

/**
 * The usage report's counter (migration 371): an organization's messages of one month and group,
 * kept by triggers on messages. A null number or provider is ''.
 */
export interface UsageCountTable {
  organization_id: string;
  /** YYYY-MM, UTC, of the message's created_at */
  month: string;
  number_id: string;
  provider: string;
  direction: string;
  audience: string;
  category: string;
  /** 1: outbound sends that failed (not billed) */
  failed: number;
  messages: number;
  /** dollars, the messages' summed cost */
  cost: number;
}

export interface ServiceWindowTable {
  /** the business number (numbers.id) */
  number_id: string;
  /** E.164 or external id of the customer */
  contact_address: string;
  last_inbound_at: string;
}

export interface JobTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  /** pending | running | done | failed */
  status: string;
  run_at: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_at: string | null;
  /** one job per key: an accepted outbound message is never enqueued twice */
  idempotency_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface UnroutedEventTable {
  id: Generated<number>;
  provider: string;
  reason: string;
  /** the raw body as received */
  payload: string;
  /** JSON of the headers needed to replay (content-type) */
  headers: string | null;
  received_at: string;
  replayed_at: string | null;
  /** a stored customer message to a platform number, replayed from the message rather than the payload */
  message_id: number | null;
  /** whose secret verified it: a connection id, or `platform` (null: kept before this was recorded, read as `platform`) */
  verified_by: string | null;
}

/** A delivery status for a provider message id no sent message carries yet (its send has not stored it). */
export interface PendingStatusTable {
  provider: string;
  provider_message_id: string;
  /** the highest status received so far (STATUS_RANK) */
  status: string;
  error_code: string | null;
  /** with `failed`: the sentence to store as the message's send_error */
  error_message: string | null;
  /** our reference echoed by the callback (Meta's biz_opaque_callback_data), when it carried one */
  reference: string | null;
  /** whose secret verified it (core/signers.ts); null: kept before this was recorded, the platform's */
  verified_by: string | null;
  received_at: string;
}

/** Requests counted in one clock minute (PostgreSQL: the limit holds across instances; SQLite counts in-process). */
export interface RateLimitTable {
  /** what is limited: `address`, `session`, `accept` or `sign-in` (services/rate-limits.ts) */
  scope: string;
  key: string;
  /** the window's first minute since the Unix epoch */
  minute: number;
  count: number;
}

export interface WidgetTable {
  id: string;
  organization_id: string;
  public_key: string;
  name: string;
  /** JSON string[] */
  allowed_origins: string;
  greeting: string | null;
  /** JSON of the handover settings and options (see services/widgets) */
  settings: string;
  created_at: string;
  updated_at: string;
}

/** A website a widget refused lately: not in its allowed origins (351; 20 per widget at most). */
export interface RefusedOriginTable {
  widget_id: string;
  /** scheme://host[:port], as the browser sent it */
  origin: string;
  /** refused requests counted (writes are throttled, so a flood is counted late, not lost) */
  count: number;
  first_seen_at: string;
  last_seen_at: string;
}

export interface PoolNumberTable {
  id: string;
  widget_id: string;
  /** E.164 */
  number: string;
  display_name: string | null;
  is_active: Bool;
  notes: string | null;
  position: number;
  created_at: string;
}

export interface WidgetSessionTable {
  /** visitor_… */
  id: string;
  widget_id: string;
  organization_id: string;
  contact_id: string;
  token_hash: string;
  visitor_name: string | null;
  created_at: string;
  last_seen_at: string;
}

/** A file a visitor attached in the widget (041). */
export interface WidgetUploadTable {
  /** unguessable: the file's public URL is its only protection */
  id: string;
  session_id: string;
  filename: string;
  mime_type: string;
  /** empty once the file is in the media store (331); rows from before keep it until moved */
  bytes: Buffer;
  /** the file's key in the media store (services/media/store.ts); null: still in `bytes` */
  storage_key: string | null;
  /** null only on a row written before 331 (set by 331) */
  size: number | null;
  created_at: string;
}

/** A copy of an inbound media file (002), served at `/api/media/<id>`. */
export interface MessageMediaTable {
  /** unguessable: the file's URL is its only protection (like widget uploads) */
  id: string;
  message_id: number;
  organization_id: string | null;
  mime_type: string;
  filename: string | null;
  size: number;
  /** empty once the file is in the media store (331); rows from before keep it until moved */
  bytes: Buffer;
  /** the file's key in the media store (services/media/store.ts); null: still in `bytes` */
  storage_key: string | null;
  created_at: string;
}

/** One path tried to tell one agent of a handover (SPEC §8 "The path of one notification"). */
export interface HandoverNotificationTable {
  id: string;
  conversation_id: string;
  assignment_id: string;
  /** E.164 of the agent */
  agent_number: string;
  /** free_form | template | other_sender | skipped */
  path: string;
  /** the number it was sent from; null when skipped */
  number_id: string | null;
  /** that number's E.164 */
  sender: string | null;
  /** the outbound message; null when skipped */
  message_id: number | null;
  /** why the agent was skipped, or why this path failed */
  reason: string | null;
  /** when the provider's failure of this path was taken up (the next path was tried) */
  failed_at: string | null;
  created_at: string;
}

export interface HandoverAssignmentTable {
  id: string;
  conversation_id: string;
  /** null: a WhatsApp customer's handover (no widget) */
  widget_id: string | null;
  /** E.164 of the sender that carries the conversation */
  number: string;
  assigned_at: string;
  released_at: string | null;
}

export interface KnowledgeDocumentTable {
  id: string;
  organization_id: string;
  title: string;
  content: string;
  /** json | txt | md | html | csv */
  source_type: string;
  created_at: string;
}

export interface KnowledgeIndexTable {
  organization_id: string;
  /** MiniSearch JSON, so a restart needs no retraining */
  index_json: string;
  /** JSON of the chunks */
  chunks_json: string;
  chunk_count: number;
  document_count: number;
  trained_at: string;
  /** base64 of each chunk's sentence vector (signed bytes), in chunk order; null without the encoder */
  meaning_vectors: string | null;
  meaning_dimensions: number | null;
  /** which encoder made the vectors (`built-in`, `embeddings:<model>`); null before encoders had names */
  meaning_encoder: string | null;
  /** the organization's knowledge_changed_at this training saw (301): a later mark is a change it missed */
  knowledge_as_of: Generated<string | null>;
}

/** The choices a conversation's latest answer offered; a reply `1`, `2` or a title picks one until `expires_at`. */
export interface AnswerChoiceTable {
  conversation_id: string;
  organization_id: string;
  /** JSON `[{id, title}]`: passage ids and the titles the customer read */
  choices: string;
  expires_at: string;
  /** what the customer asked that these choices answer: a pick teaches it to the picked entry; null before 361 */
  question: string | null;
}

/** An entry of a document as the organization edited it; a null part keeps the document's own text. */
export interface KnowledgeEntryEditTable {
  organization_id: string;
  document_id: string;
  /** `${documentId}#${n}` (core/entries.ts) */
  entry_id: string;
  question: string | null;
  /** JSON string[]: the other phrasings, replacing the document's */
  phrasings_json: string | null;
  answer: string | null;
  updated_at: string;
}

/** A question a customer asked and then answered by picking this entry among choices: searched as one of its phrasings. */
export interface KnowledgeLearnedPhrasingTable {
  id: string;
  organization_id: string;
  document_id: string;
  entry_id: string;
  phrasing: string;
  created_at: string;
}

/**
 * A question the bot was not sure of, and what an agent answered: `awaiting` until an agent
 * answers, then `pending` in the dashboard until accepted (into the knowledge base) or dismissed.
 */
export interface KnowledgeSuggestionTable {
  id: string;
  organization_id: string;
  conversation_id: string;
  question: string;
  answer: string | null;
  status: 'awaiting' | 'pending' | 'accepted' | 'dismissed';
  /** the knowledge document an accepted suggestion became */
  document_id: string | null;
  created_at: string;
  answered_at: string | null;
  decided_at: string | null;
  /** the bot's answer an agent marked wrong (`#282 /wrong`), which started this suggestion */
  wrong_answer: string | null;
}

/** An agent's message that named no usable conversation, held for their numbered pick (241). */
export interface HeldAgentMessageTable {
  agent_number: string;
  /** the sender (numbers.id) the agent wrote to: a pick counts on that thread only */
  number_id: string;
  /** the agent's stored message (its file goes with it) */
  message_id: number;
  /** the text without any prefix */
  text: string | null;
  /** JSON array of conversation ids, in the order the pick listed them */
  choices: string;
  expires_at: string;
}

/** What the product remembers of an agent's phone across organizations (241). */
export interface AgentPhoneTable {
  /** E.164 */
  number: string;
  /** when a notification last carried the commands line */
  commands_shown_at: string | null;
}

/** The managed handover template of one provider account (211): created, submitted and tracked by the platform. */
export interface HandoverTemplateTable {
  id: string;
  provider: string;
  /** `platform`, or the id of the organization's own connection: one template per account */
  account_key: string;
  connection_id: string | null;
  /** the organization whose own connection it is; null for the platform's accounts */
  organization_id: string | null;
  /** the provider's name of the account (Twilio AC… sid, Meta WABA id): what a status webhook names */
  account_ref: string | null;
  /** Twilio HX… sid, Meta template id; null until the provider has it */
  provider_template_id: string | null;
  name: string;
  language: string;
  /** pending | approved | rejected | paused | disabled */
  status: string;
  rejection_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface TrialBindingTable {
  /** numbers.id of the shared trial number */
  number_id: string;
  contact_address: string;
  organization_id: string;
  bound_at: string;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface Database {
  organizations: OrganizationTable;
  api_keys: ApiKeyTable;
  agents: AgentTable;
  dashboard_sessions: DashboardSessionTable;
  connections: ConnectionTable;
  numbers: NumberTable;
  contacts: ContactTable;
  conversations: ConversationTable;
  messages: MessageTable;
  service_windows: ServiceWindowTable;
  jobs: JobTable;
  unrouted_events: UnroutedEventTable;
  pending_statuses: PendingStatusTable;
  rate_limits: RateLimitTable;
  widgets: WidgetTable;
  refused_origins: RefusedOriginTable;
  pool_numbers: PoolNumberTable;
  widget_sessions: WidgetSessionTable;
  widget_uploads: WidgetUploadTable;
  message_media: MessageMediaTable;
  handover_assignments: HandoverAssignmentTable;
  handover_notifications: HandoverNotificationTable;
  knowledge_documents: KnowledgeDocumentTable;
  knowledge_indexes: KnowledgeIndexTable;
  answer_choices: AnswerChoiceTable;
  knowledge_entry_edits: KnowledgeEntryEditTable;
  knowledge_learned_phrasings: KnowledgeLearnedPhrasingTable;
  knowledge_suggestions: KnowledgeSuggestionTable;
  held_agent_messages: HeldAgentMessageTable;
  agent_phones: AgentPhoneTable;
  trial_bindings: TrialBindingTable;
  handover_templates: HandoverTemplateTable;
  settings: SettingTable;
  plan_usage: PlanUsageTable;
  usage_counts: UsageCountTable;
}

export type Organization = Selectable<OrganizationTable>;
export type HandoverNotification = Selectable<HandoverNotificationTable>;
export type Agent = Selectable<AgentTable>;
export type NumberRow = Selectable<NumberTable>;
export type Contact = Selectable<ContactTable>;
export type Conversation = Selectable<ConversationTable>;
export type UnroutedEvent = Selectable<UnroutedEventTable>;
export type Message = Selectable<MessageTable>;
export type NewMessage = Insertable<MessageTable>;
export type Job = Selectable<JobTable>;
export type Widget = Selectable<WidgetTable>;
export type PoolNumber = Selectable<PoolNumberTable>;
export type WidgetSession = Selectable<WidgetSessionTable>;
export type HandoverTemplate = Selectable<HandoverTemplateTable>;
