// Greetings, thanks and goodbyes: a customer who says "hi" or "thanks!" is not asking the
// knowledge base anything, and must get a short friendly word back — never a passage, never
// "not sure". A greeting in front of a question ("hi, do you rent bikes?") leaves the question.
export type SmallTalk = 'greeting' | 'thanks' | 'goodbye';

const GREETING =
  /^(?:hi+|hii+|hey+|heya|hiya|hello+|helo|hallo|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|morning|evening|hi there|hey there|hello there|what'?s up|sup|how are you(?: doing)?|how'?s it going|how are things)$/;
const THANKS =
  /^(?:thanks?|thank you|thank u|thx|thnx|ty|tysm|cheers|many thanks|thanks a lot|thanks so much|thank you so much|thank you very much|much appreciated|appreciate it|great thanks|ok thanks|okay thanks|ok thank you|okay thank you|perfect thanks|brilliant thanks|awesome thanks|great|perfect|brilliant|awesome|lovely|nice|cool|ok|okay|k|got it|great thank you|that helps|that'?s helpful|very helpful|super)$/;
const GOODBYE =
  /^(?:bye+|bye bye|goodbye|good bye|see you|see ya|see you (?:later|soon|then|tomorrow|on [a-z]+|[a-z]+day)|cya|later|good night|goodnight|have a (?:nice|good|great) (?:day|evening|weekend)|take care|that'?s all|that is all|nothing else|no thanks|no thank you|all good)$/;

/** The text as small talk is matched: lower case, emoji and punctuation gone. */
function plain(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Which kind of small talk a whole message is, or undefined when it says more. */
export function smallTalkOf(text: string): SmallTalk | undefined {
  const words = plain(text);
  if (!words || words.length > 40) return undefined;
  const whole = kindOf(words);
  if (whole) return whole;
  // "thanks, bye" and "hi! thanks" are small talk when every part is; they end as their last part does.
  const parts = text
    .split(/[,.!;?]+|\band\b/i)
    .map(plain)
    .filter(Boolean);
  const kinds = parts.map(kindOf);
  return parts.length > 1 && kinds.every((kind) => kind !== undefined) ? kinds.at(-1) : undefined;
}

function kindOf(words: string): SmallTalk | undefined {
  if (GREETING.test(words)) return 'greeting';
  if (THANKS.test(words)) return 'thanks';
  if (GOODBYE.test(words)) return 'goodbye';
  return undefined;
}

const LEADING_GREETING = /^\s*(?:hi+|hey+|hello+|hiya|heya|good (?:morning|afternoon|evening)|morning)(?: there)?\s*[,!.:;-]*\s+/i;

/** The question without a greeting in front of it: "hi, do you rent bikes?" → "do you rent bikes?". */
export function withoutGreeting(text: string): string {
  const rest = text.replace(LEADING_GREETING, '');
  return rest.trim() ? rest : text;
}

/** The reply to small talk, in the organization's name. */
export function smallTalkReply(kind: SmallTalk, organizationName: string, greeting?: string | null): string {
  switch (kind) {
    case 'greeting':
      return greeting?.trim() || `Hi! This is ${organizationName}. How can I help you today?`;
    case 'thanks':
      return `You're welcome! Anything else ${organizationName} can help you with?`;
    case 'goodbye':
      return `Thanks for getting in touch with ${organizationName}. Have a good day!`;
  }
}
