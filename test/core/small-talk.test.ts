import { describe, expect, it } from 'vitest';
import { smallTalkOf, smallTalkReply, withoutSmallTalk } from '../../src/core/small-talk.js';

describe('small talk', () => {
  it('knows greetings, thanks and goodbyes, however they are written', () => {
    for (const text of ['hi', 'Hi!', 'hello 👋', 'Hey there', 'good morning', 'hiya', 'how are you?']) expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['thanks', 'Thank you!', 'thx', 'cheers', 'ok thanks', 'great, thanks!', 'much appreciated'])
      expect(smallTalkOf(text), text).toBe('thanks');
    for (const text of ['bye', 'Goodbye!', 'see you later', 'have a nice day', 'thanks, bye', 'Great, see you Saturday!'])
      expect(smallTalkOf(text), text).toBe('goodbye');
  });

  it('is not small talk when a question comes with it', () => {
    for (const text of ['hi, do you rent tandem bikes?', 'thanks, and how much is a service?', 'hello can I book for sunday', 'do you have parking']) {
      expect(smallTalkOf(text), text).toBeUndefined();
    }
  });

  it('drops a greeting in front of a question', () => {
    expect(withoutSmallTalk('Hi, do you rent tandem bikes?')).toBe('do you rent tandem bikes?');
    expect(withoutSmallTalk('good morning! when are you open')).toBe('when are you open');
    expect(withoutSmallTalk('history of the shop')).toBe('history of the shop');
  });

  it('answers in the organization’s name, greeting with the widget’s own greeting when it has one', () => {
    expect(smallTalkReply('greeting', 'Spoke & Sprocket')).toBe('Hi! This is Spoke & Sprocket. How can I help you today?');
    expect(smallTalkReply('greeting', 'Spoke & Sprocket', 'Welcome to Spoke & Sprocket! Ask me anything.')).toBe(
      'Welcome to Spoke & Sprocket! Ask me anything.',
    );
    expect(smallTalkReply('thanks', 'Spoke & Sprocket')).toContain('Spoke & Sprocket');
    expect(smallTalkReply('goodbye', 'Spoke & Sprocket')).toContain('Spoke & Sprocket');
  });
});
