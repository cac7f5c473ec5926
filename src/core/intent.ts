// What kind of fact a question asks for, and which kinds a passage holds. "How much is a
// service?" wants a passage with an amount of money even when both mention "service".
export type Intent = 'price' | 'time' | 'duration';

export interface PassageFacts {
  price: boolean;
  time: boolean;
  duration: boolean;
}

const QUESTION_INTENTS: [Intent, RegExp][] = [
  // "how long" before "when": "how long is it open" asks for a duration
  ['duration', /\bhow long\b|\bhow many (minutes|hours|days|weeks|months|years)\b|\bhow (soon|fast|quickly)\b|\bduration\b|\btake[sn]?\b.*\blong\b/],
  [
    'price',
    /\bhow much\b|\bprices?\b|\bpricing\b|\bcosts?\b|\bcharges?\b|\bfees?\b|\brates?\b|\bexpensive\b|\bcheap(er|est)?\b|\bafford\b|\bquote\b|\b(dollars|bucks|euros|pounds)\b/,
  ],
  // "when" asks for a time near the start of a question; later it is a conjunction ("…when I rent")
  [
    'time',
    /^\W*(?:\w+\W+){0,2}when\b|\bwhat time\b|\bwhich days?\b|\bwhat days?\b|\bhours\b|\bopen(ing)?\b|\bclos(e|ed|es|ing)\b|\bschedule\b|\btoday\b|\btomorrow\b|\bweekends?\b|\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bholidays?\b/,
  ],
];

/**
 * "where is ur shop", "wer r u located", "where exactly are you": the customer asks where the
 * business is, in words the location entry rarely uses ("shop", "clinic", "exactly").
 */
const ASKS_WHERE_YOU_ARE =
  /\b(?:where|wer|whr|wea)\b(?:\s+(?:is|are|r|s|exactly|abouts|in|at|about))*\s+(?:you|u|ya|your|ur|the)\b(?:\s+(?:guys|shop|store|office|clinic|salon|studio|place|business|branch|outlet|premises|workshop|showroom))?(?:\s+(?:located|situated|based|exactly|now))*\s*(?:[?.!]|$)/i;
const LOCATION_WORDS = /\b(?:locat\w*|address|directions?)\b/i;

/** The question with "location" added when it asks where the business is in other words. */
export function withLocationAsked(question: string): string {
  return ASKS_WHERE_YOU_ARE.test(question) && !LOCATION_WORDS.test(question) ? `${question} location` : question;
}

/** Question phrases whose meaning is the intent itself; as search words they only add noise ("much", "time"). */
const INTENT_PHRASES = /\b(?:how (?:much|long|many|often|soon|far|fast|quickly)|what time|at what time|which days?)\b/gi;

export function withoutIntentPhrases(question: string): string {
  return question.replace(INTENT_PHRASES, ' ');
}

/** The intents of a question, from its raw words (before filler words are dropped). */
export function questionIntents(question: string): Intent[] {
  const text = question.toLowerCase();
  return QUESTION_INTENTS.filter(([, pattern]) => pattern.test(text)).map(([intent]) => intent);
}

const MONEY =
  /[$€£¥]\s?\d|\d(?:[.,]\d+)?\s?(?:\$|€|£|usd|eur|gbp|dollars?|euros?|pounds?|bucks)\b|\bfree of charge\b|\bno charge\b|\bfor free\b|\bat no cost\b/i;
const CLOCK =
  /\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:.]\d{2}\b|\bnoon\b|\bmidnight\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b(?:mon|tue|wed|thu|fri|sat|sun)\s?[-–]|\bweekdays?\b|\bweekends?\b|\bpublic holidays?\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b/i;
// "2 days", "3-5 days", "1 to 2 weeks". The digits after the range only follow a dash, "to" or a
// space: `\d+…\d*` with nothing between would split a long number every which way (quadratic).
const DURATION =
  /\b\d+(?:[.,]\d+)?(?:\s?(?:[-–]|to)\s?\d*|\s\s?\d*)?\s?(?:minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)\b|\b(?:an?|one|two|three|four|five|six|seven|ten|twelve|fourteen|thirty)\s(?:minutes?|hours?|days?|weeks?|months?|years?)\b|\bsame[- ]day\b|\bovernight\b/i;

export function passageFacts(text: string): PassageFacts {
  return { price: MONEY.test(text), time: CLOCK.test(text), duration: DURATION.test(text) };
}

/** How much a passage's facts fit the question's intents: 1 (no help) up to INTENT_BOOST. */
export const INTENT_BOOST = 2;
export function intentBoost(intents: Intent[], facts: PassageFacts): number {
  if (intents.length === 0) return 1;
  return intents.some((intent) => facts[intent]) ? INTENT_BOOST : 1;
}

const HUMAN_WORD = '(?:human|person|agent|operator|someone|somebody|representative|rep|staff|real person|real human|live agent|customer service)';
const ASKS_FOR_HUMAN = new RegExp(
  `^(?:${HUMAN_WORD}|(?:.*\\b)?(?:talk|speak|chat|connect|transfer|put)(?: me)? (?:to|with|through to) (?:a |an |the |some |your )?${HUMAN_WORD})(?: please| pls| now)?$`,
);

/** "human", "agent", "talk to a human", "can I speak with a real person please" — the customer asks for a person. */
export function asksForHuman(text: string): boolean {
  const words = text
    .toLowerCase()
    .replace(/[^a-z\s]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words.length <= 80 && ASKS_FOR_HUMAN.test(words);
}
