// The grammar of what an agent writes from WhatsApp to a handover sender (SPEC §8). Parsing only:
// which conversation a reply belongs to is decided by services/handover from what this returns.

/** Which conversation the agent named in the message itself. */
export type ReplyTarget = { by: 'ref'; ref: number } | { by: 'name'; name: string } | { by: 'session'; sessionPrefix: string };

export type AgentReply =
  | { kind: 'list' }
  /** `#282 /close`, or a bare `/close` (then the swipe-reply or the only conversation decides) */
  | { kind: 'close'; target: ReplyTarget | null }
  /** `#282: text`, `@Name: text`, `@visitor_abc: text`, or text without a prefix (target null) */
  | { kind: 'message'; target: ReplyTarget | null; text: string };

const LIST = /^\/list$/i;
const CLOSE = /^\/close$/i;
// `#282: text` (the colon is required: `#1 priority…` is ordinary text); `#282 /close` needs none.
const REF_PREFIX = /^#(\d{1,9})\s*:\s*([\s\S]*)$/;
const REF_COMMAND = /^#(\d{1,9})\s*:?\s*(\/\w+)\s*$/;
// `@Viral tarpara: text`: the name runs to the first colon.
const AT_PREFIX = /^@([^:\n]{1,80}?)\s*:\s*([\s\S]*)$/;
const SESSION_PREFIX = /^visitor_[A-Za-z0-9_-]+$/;

/** Parses an agent's message (`null`/empty text is a message without prefix, e.g. a photo). */
export function parseAgentReply(input: string | null | undefined): AgentReply {
  const text = (input ?? '').trim();
  if (LIST.test(text)) return { kind: 'list' };
  if (CLOSE.test(text)) return { kind: 'close', target: null };

  const command = REF_COMMAND.exec(text);
  if (command && CLOSE.test(command[2]!)) return { kind: 'close', target: { by: 'ref', ref: Number(command[1]) } };

  const ref = REF_PREFIX.exec(text);
  if (ref) return withTarget({ by: 'ref', ref: Number(ref[1]) }, ref[2]!);

  const at = AT_PREFIX.exec(text);
  if (at) {
    const name = at[1]!.trim();
    const target: ReplyTarget = SESSION_PREFIX.test(name) ? { by: 'session', sessionPrefix: name } : { by: 'name', name };
    return withTarget(target, at[2]!);
  }
  return { kind: 'message', target: null, text };
}

function withTarget(target: ReplyTarget, rest: string): AgentReply {
  const text = rest.trim();
  return CLOSE.test(text) ? { kind: 'close', target } : { kind: 'message', target, text };
}

/** Visitor names compare without case and extra spaces (`viral  Tarpara` is `Viral tarpara`). */
export function sameVisitorName(a: string, b: string): boolean {
  const fold = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
  return fold(a) === fold(b);
}
