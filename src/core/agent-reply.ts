// The grammar of what an agent writes from WhatsApp to a handover sender (SPEC §8). Parsing only:
// which conversation a reply belongs to is decided by services/handover from what this returns.

/** Which conversation the agent named in the message itself. */
export type ReplyTarget =
  | { by: 'ref'; ref: number }
  | { by: 'name'; name: string }
  | { by: 'session'; sessionPrefix: string }
  /** starts like `#282` but is not one (`#282abc`): the agent is asked to write it again */
  | { by: 'unclear'; start: string };

export type AgentReply =
  | { kind: 'list' }
  /** `help` or `/help`, with or without a reference: the list of commands */
  | { kind: 'help' }
  /** a bare `1`: the agent picks a conversation for their held message */
  | { kind: 'pick'; choice: number }
  /**
   * `#282 /close` closes; `#282 /ai` gives the conversation back to the bot; `#282 /wrong` marks the
   * bot's last answer wrong. Bare (`/close`), the swipe-reply or the only conversation decides.
   */
  | { kind: 'close' | 'ai' | 'wrong'; target: ReplyTarget | null }
  /** `#282: text`, `@Name: text`, `@visitor_abc: text`, or text without a prefix (target null) */
  | { kind: 'message'; target: ReplyTarget | null; text: string };

const LIST = /^\/list$/i;
const HELP = /^\/?help$/i;
const PICK = /^(\d{1,2})[.)]?$/;
// The commands that act on one conversation.
const COMMANDS: Record<string, 'close' | 'ai' | 'wrong'> = { '/close': 'close', '/ai': 'ai', '/wrong': 'wrong' };
const commandOf = (text: string) => COMMANDS[text.toLowerCase()];
// A message that starts with `#282` followed by a space, `:`, `-`, `.` or `,` (or nothing) names
// conversation 282: `#5 hello` on a thread of #4 is for #5, never for #4.
const REF_PREFIX = /^#(\d{1,9})(?:\s*[:\-.,]\s*|\s+|$)([\s\S]*)$/;
// `#282abc`, `#99999999999`, `# 282`, `＃282`, `#２８２`: it starts like a reference, so it is never read
// as text for another conversation (or for the only open one).
const REF_LIKE = /^[#＃]\s*\p{Nd}/u;
const REF_LIKE_START = /^[#＃]\s*\S*/u;
const REF_COMMAND = /^#(\d{1,9})\s*[:\-.,]?\s*(\/\w+)\s*$/;
// `@Viral tarpara: text`: the name runs to the first colon.
const AT_PREFIX = /^@([^:\n]{1,80}?)\s*:\s*([\s\S]*)$/;
const SESSION_PREFIX = /^visitor_[A-Za-z0-9_-]+$/;

// Phones put invisible marks before a line (direction marks, zero-width spaces); `#282` after one
// still names conversation 282.
const INVISIBLE_EDGES = /^[\s\p{Cf}]+|[\s\p{Cf}]+$/gu;

/** Parses an agent's message (`null`/empty text is a message without prefix, e.g. a photo). */
export function parseAgentReply(input: string | null | undefined): AgentReply {
  const text = (input ?? '').replace(INVISIBLE_EDGES, '');
  if (LIST.test(text)) return { kind: 'list' };
  if (HELP.test(text)) return { kind: 'help' };
  const bare = commandOf(text);
  if (bare) return { kind: bare, target: null };
  const pick = PICK.exec(text);
  if (pick) return { kind: 'pick', choice: Number(pick[1]) };

  const command = REF_COMMAND.exec(text);
  const named = command && commandOf(command[2]!);
  if (named) return { kind: named, target: { by: 'ref', ref: Number(command[1]) } };

  const ref = REF_PREFIX.exec(text);
  if (ref) {
    // `#282 help`: the agent is asking how, not writing "help" to the visitor.
    if (HELP.test(ref[2]!.trim())) return { kind: 'help' };
    return withTarget({ by: 'ref', ref: Number(ref[1]) }, ref[2]!);
  }
  if (REF_LIKE.test(text)) return { kind: 'message', target: { by: 'unclear', start: REF_LIKE_START.exec(text)![0].slice(0, 20) }, text };

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
  const command = commandOf(text);
  return command ? { kind: command, target } : { kind: 'message', target, text };
}

/** Visitor names compare without case and extra spaces (`viral  Tarpara` is `Viral tarpara`). */
export function sameVisitorName(a: string, b: string): boolean {
  const fold = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
  return fold(a) === fold(b);
}

/** What an agent sends to join or leave an organization's agents (SPEC §8 Agents). */
export type AgentCommand = { kind: 'accept'; code: string } | { kind: 'stop' };

const ACCEPT = /^accept\s+([A-Za-z0-9-]{4,40})$/i;
const STOP = /^stop\s+agent$/i;

/** `ACCEPT <code>` (any case) or `STOP AGENT`; anything else is not a command. */
export function parseAgentCommand(input: string | null | undefined): AgentCommand | undefined {
  const text = (input ?? '').replace(INVISIBLE_EDGES, '');
  const accept = ACCEPT.exec(text);
  if (accept) return { kind: 'accept', code: accept[1]!.toUpperCase() };
  return STOP.test(text) ? { kind: 'stop' } : undefined;
}
