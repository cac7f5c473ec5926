// What each job kind carries: the one description of kinds → payloads. Types only, and nothing
// here imports a handler, so a module that enqueues does not depend on the list of handlers
// (src/jobs/kinds.ts), which imports every handler.

export interface JobPayloads {
  /** a stored inbound WhatsApp message to act on (services/inbound/reaction.ts) */
  'inbound.react': ReactPayload;
  /** an inbound message's file to copy before the provider's URL expires (services/inbound/media.ts) */
  'inbound.media': MessageJobPayload;
  /** a queued outbound message to hand to its provider (services/outbound/send.ts) */
  'outbound.send': SendJobPayload;
  /** a website visitor's message to answer or forward (services/widgets/visitor-inbound.ts) */
  'widget.react': MessageJobPayload;
  /** a handover template to create and submit, and its review to read again (services/numbers/template-review.ts) */
  'template.create': TemplatePayload;
  'template.check': TemplatePayload;
  /** answer what the bot left unanswered at the plan's limit, once the limit is lifted (services/inbound/unanswered.ts) */
  'inbound.answer-unanswered': AnswerUnansweredPayload;
  /** retrain with the phrasings customers' picks taught, at most once a minute (services/knowledge/learning.ts) */
  'knowledge.train-learned': OrganizationJobPayload;
}

export type JobKind = keyof JobPayloads;

export interface MessageJobPayload {
  messageId: number;
}

export interface TemplatePayload {
  templateId: string;
}

export interface AnswerUnansweredPayload {
  organizationId: string;
}

export interface OrganizationJobPayload {
  organizationId: string;
}

export interface ReactPayload {
  messageId: number;
  /** the WhatsApp profile name from the payload (not stored on the message row) */
  profileName?: string;
}

/** What the send needs beyond the message row (which keeps only the body text). */
export interface SendJobPayload {
  messageId: number;
  text?: string;
  template?: { name: string; language?: string; variables: string[]; providerTemplateId?: string };
  media?: { url: string; mimeType?: string; filename?: string; type?: string };
}

/** A job to add; `P` maps kinds to payloads (the app's kinds unless a test brings its own). */
export type JobSpec<P = JobPayloads> = {
  [K in keyof P]: {
    kind: K;
    payload: P[K];
    /** default: now */
    runAt?: Date;
    /** one job per key: enqueueing the same key again changes nothing */
    idempotencyKey?: string;
    maxAttempts?: number;
  };
}[keyof P];

export interface JobAttempt {
  id: number;
  /** 1 on the first run */
  attempt: number;
  /** true when a failure now would not be retried */
  isLastAttempt: boolean;
}

export interface JobWorker {
  /** look for work now */
  wake(): void;
  /** stop claiming, wait for running jobs to finish */
  stop(): Promise<void>;
}
