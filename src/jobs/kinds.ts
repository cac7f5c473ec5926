// The one list of job kinds and their handlers, given to the context by createContext (server.ts).
// Enqueueing checks payloads against src/jobs/payloads.ts; `satisfies` checks that every kind
// there has exactly one handler here taking that payload.
import type { JobHandlers } from '../services/context.js';
import { copyInboundMedia, MEDIA_JOB } from '../services/inbound/media.js';
import { REACT_JOB, reactToInbound } from '../services/inbound/reaction.js';
import { ANSWER_UNANSWERED_JOB, answerUnanswered } from '../services/inbound/unanswered.js';
import { SEND_JOB, sendQueuedMessage } from '../services/outbound/send.js';
import { reactToVisitorMessage } from '../services/inbound/visitor-reaction.js';
import { WIDGET_REACT } from '../services/widgets/visitor-inbound.js';
import { TRAIN_LEARNED_JOB, trainLearned } from '../services/knowledge/learning.js';
import { checkHandoverTemplateJob, createHandoverTemplateJob, TEMPLATE_CHECK_JOB, TEMPLATE_CREATE_JOB } from '../services/numbers/template-review.js';

export const jobHandlers = {
  [REACT_JOB]: reactToInbound,
  [MEDIA_JOB]: copyInboundMedia,
  [SEND_JOB]: sendQueuedMessage,
  [WIDGET_REACT]: reactToVisitorMessage,
  [TEMPLATE_CREATE_JOB]: createHandoverTemplateJob,
  [TEMPLATE_CHECK_JOB]: checkHandoverTemplateJob,
  [ANSWER_UNANSWERED_JOB]: answerUnanswered,
  [TRAIN_LEARNED_JOB]: trainLearned,
} satisfies JobHandlers;
