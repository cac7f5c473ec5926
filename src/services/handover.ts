// The WhatsApp handover (SPEC §8): website visitors answered by agents from their own WhatsApp.
// The parts live in handover/; this is the surface the rest of the product calls.
export { handleAgentMessage } from './handover/agent-replies.js';
export { closeHandover, type CloseReason, releaseClosedConversations } from './handover/close.js';
export { closeInactiveConversations, startInactivitySweeper, sweepHandovers } from './handover/inactivity.js';
export { forwardVisitorMessage, releaseUnreachableHandovers, requestHandover, type HandoverResult } from './handover/request.js';
export { showAgentTyping, showSeenByAgent } from './handover/presence.js';
export { numberStats, type NumberStats } from './handover/stats.js';
