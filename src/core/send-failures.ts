// Why a send failed, in words an agent can act on: the provider's error code (or ours) becomes a
// reason and what to do next. Shown on the failed message in the inbox (SPEC §8, §10).

export interface FailedSend {
  /** our code (WINDOW_CLOSED, NO_CREDENTIALS, …) or the provider's (63016, 131047, …) */
  errorCode: string | null;
  /** the sentence recorded with the failure */
  sendError: string | null;
  /** contact: the customer or visitor; agent: an agent's phone (notifications, forwards) */
  audience: string;
  /** the number it was sent to */
  to: string | null;
}

export interface FailureExplained {
  reason: string;
  action: string;
}

const WINDOW_CODES = new Set(['WINDOW_CLOSED', '63016', '131047']);
const UNREACHABLE_CODES = new Set(['BAD_RECIPIENT', '63003', '131026', '21211', '21614']);
const CREDENTIAL_CODES = new Set(['NO_CREDENTIALS', '190', '20003', '401']);
const RATE_CODES = new Set(['TRANSIENT', 'NETWORK', '429', '20429', '130429', '131056', '80007']);

/** The provider refused a free-form message because the 24-hour window was closed: a template or another sender may still reach them. */
export function isWindowFailure(code: string | null): boolean {
  return WINDOW_CODES.has(code ?? '');
}

export function explainFailedSend(send: FailedSend): FailureExplained {
  const code = send.errorCode ?? '';
  const who = send.to ?? (send.audience === 'agent' ? 'the agent' : 'the contact');
  if (WINDOW_CODES.has(code)) {
    return {
      reason: `Outside WhatsApp's 24-hour window: ${who} has not written to this number in the last 24 hours, so only an approved template can be sent.`,
      action:
        send.audience === 'agent'
          ? `Ask the agent to send any message to this number from ${who}, which opens the window for 24 hours, or give the widget a handover template.`
          : 'Wait until the customer writes again, or send an approved template.',
    };
  }
  if (UNREACHABLE_CODES.has(code)) {
    return { reason: `${who} cannot receive WhatsApp messages (not on WhatsApp, or not a valid number).`, action: 'Check the number and correct it.' };
  }
  if (CREDENTIAL_CODES.has(code)) {
    return {
      reason: 'The provider refused or is missing the credentials for this number.',
      action: "Set the provider's credentials (or renew its access token), then send again.",
    };
  }
  if (code === 'NO_NUMBER') {
    return { reason: 'The number it was to be sent from no longer exists.', action: 'Give the conversation or widget another number.' };
  }
  if (RATE_CODES.has(code)) {
    return { reason: send.sendError ?? 'The provider could not be reached or was busy, and the retries ran out.', action: 'Send it again in a few minutes.' };
  }
  return {
    reason: send.sendError ?? 'The provider refused the message.',
    action: "See the number's health under Numbers; send again once it is fixed.",
  };
}

/** How long a send error stays "current" at most, even when the number sends nothing since. */
export const CURRENT_SEND_ERROR_MS = 24 * 60 * 60 * 1000;

/**
 * A number's last send error is its current state only while no later send from it has worked
 * and it is less than CURRENT_SEND_ERROR_MS old; otherwise it is history, not shown as current.
 */
export function isCurrentSendError(error: { id: number; at: string }, lastSuccessId: number | null, now: Date): boolean {
  if (lastSuccessId !== null && lastSuccessId > error.id) return false;
  return now.getTime() - Date.parse(error.at) < CURRENT_SEND_ERROR_MS;
}
