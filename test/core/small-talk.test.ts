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

  it('knows small talk in the spellings customers use, addressed to anyone, and emoji alone', () => {
    for (const text of ['Good morning sir', 'gud mrng', 'Hello sir good evening', 'hii']) expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['Thankyou', 'thx', 'Thank u mam', 'tysm 🙏', 'ok', 'okk', '👍', 'Thank you so much!!', 'yes please']) {
      expect(smallTalkOf(text), text).toBe('thanks');
    }
    for (const text of ['ok bye', 'byee', 'ok thanks bye']) expect(smallTalkOf(text), text).toBe('goodbye');
    // Local English: "ma", "aunty", the particle "o", "gd" for good, and thanks by the million.
    for (const text of ['gd evening', 'Good afternoon ma']) expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['tnx ma', 'Alright o', 'thanks a million!!', 'God bless you aunty', 'ok oo']) expect(smallTalkOf(text), text).toBe('thanks');
    expect(withoutSmallTalk('Good afternoon ma. how much is the agbada')).toBe('how much is the agbada');
    // Filipino and South African customers: "po" is respect, not a question.
    for (const text of ['Good pm po', 'magandang umaga po', 'howzit boet']) expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['salamat po', 'sige po', 'baie dankie', 'thank you po']) expect(smallTalkOf(text), text).toBe('thanks');
    expect(smallTalkOf('ingat po')).toBe('goodbye');
    for (const text of ['good arvo', "G'day mate"]) expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['thanks heaps 🤙', 'no wukkas']) expect(smallTalkOf(text), text).toBe('thanks');
  });

  it('knows thanks for what was given, and what the customer says they will do next', () => {
    for (const text of ['thanks for the info', 'many thanks for the quick reply', 'Thank you so much for your help!', 'I appreciate you']) {
      expect(smallTalkOf(text), text).toBe('thanks');
    }
    for (const text of ['Ok, I will let you know', 'ok will do', 'Okay I will come tomorrow', 'let me think about it', "ok thank you, I'll think about it"]) {
      expect(smallTalkOf(text), text).toBe('thanks');
    }
    for (const text of ['Hello? anyone there?', 'Are you there?', 'Good morning, how are you doing today?', "Hey, hope you're well"]) {
      expect(smallTalkOf(text), text).toBe('greeting');
    }
    for (const text of ['okies', 'Much love', 'nope', 'maybe later', 'theek hai', 'bahut shukriya', "I'm good thanks"])
      expect(smallTalkOf(text), text).toBe('thanks');
    for (const text of ['I am fine', 'doing well, you?', 'same to you', 'merry christmas', 'eid mubarak']) expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['talk later', 'catch you later', 'night night']) expect(smallTalkOf(text), text).toBe('goodbye');
    expect(withoutSmallTalk('happy sunday, are you open today?')).toBe('are you open today?');
    expect(withoutSmallTalk('sweet potatoes?')).toBe('sweet potatoes?');
    for (const text of ['bye for now', "ok thanks, that's all I needed", 'Thank you, have a blessed day', 'gud nyt'])
      expect(smallTalkOf(text), text).toBe('goodbye');
    // What follows is still the question; a question that only starts like small talk stays whole.
    expect(withoutSmallTalk('thanks for the info, how much is delivery')).toBe('how much is delivery');
    expect(withoutSmallTalk('I will come tomorrow, can I pay cash?')).toBe('can I pay cash?');
    for (const text of ['will you deliver tomorrow', 'Can I check the price', 'i will need a van for saturday']) {
      expect(smallTalkOf(text), text).toBeUndefined();
      expect(withoutSmallTalk(text), text).toBe(text);
    }
    expect(withoutSmallTalk('Good am po, how much is lechon for 50 pax')).toBe('how much is lechon for 50 pax');
    for (const text of ['hmm', 'Cod option required', 'thanks 100', 'good price for a tune up?']) expect(smallTalkOf(text), text).toBeUndefined();
  });

  it('knows the greetings, thanks and goodbyes of the languages customers mix in, and local acknowledgements said alone', () => {
    for (const text of ['how far', 'habari yako', 'maayong buntag!', 'Olá, bom dia', 'buenos días', 'selamat pagi', 'Assalam o alaikum']) {
      expect(smallTalkOf(text), text).toBe('greeting');
    }
    for (const text of [
      'shot bru',
      'ok sound',
      'thanks love x',
      'Sharp sharp 👍',
      'ok done',
      'salamat kaayo 🙏',
      'obrigado!',
      'terima kasih banyak',
      'JazakAllah khair',
    ]) {
      expect(smallTalkOf(text), text).toBe('thanks');
    }
    for (const text of ['Lekker, bye', 'adiós', 'khuda hafiz']) expect(smallTalkOf(text), text).toBe('goodbye');
    // Australian and Indian English: "how ya going" greets, "too easy" and "no dramas" thank, "have a good arvo" leaves.
    for (const text of ['how ya going', 'hi, how are you going?']) expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['too easy, thanks', 'no dramas', "that's great thanks", 'sounds great', 'dhanyawad', 'haan ji', 'thanks again!']) {
      expect(smallTalkOf(text), text).toBe('thanks');
    }
    for (const text of ['have a good arvo', 'chat soon', 'enjoy your weekend']) expect(smallTalkOf(text), text).toBe('goodbye');
    // Said alone they are small talk; in front of more words they are the question's own.
    for (const text of ['how far is it from town?', 'top up my phone?', 'sound system for hire?', 'done with my order?', 'how ya going to fit it?']) {
      expect(withoutSmallTalk(text), text).toBe(text);
      expect(smallTalkOf(text), text).toBeUndefined();
    }
  });

  it('answers "are you a bot?" plainly, with the way to a person', () => {
    for (const text of ['are you a bot?', 'is this a real person', 'R u a robot', 'hi, are you a bot or a real person?', 'am i chatting with a real human?']) {
      expect(smallTalkOf(text), text).toBe('assistant');
    }
    expect(withoutSmallTalk('are you human? i need help with my order')).toBe('i need help with my order');
    expect(smallTalkReply('assistant', 'Petal Post')).toMatch(/Petal Post.*automatic assistant.*\*human\*/);
  });

  it('reads letters held down and one-letter slips as the word they stand for', () => {
    for (const text of ['thanksss', 'okkk', 'Thank youuu 🙏', 'thnak you', 'thnak you so much', 'alright thankss'])
      expect(smallTalkOf(text), text).toBe('thanks');
    for (const text of ['byeee', 'Byeeee see youuu', 'good nite']) expect(smallTalkOf(text), text).toBe('goodbye');
    for (const text of ['heyyy', 'helloooo there', 'gooood morning', 'hellow', 'gud evng sir']) expect(smallTalkOf(text), text).toBe('greeting');
    // A short word a slip away from "thank" may be a question of its own; so may a real word in front of one.
    for (const text of ['tank', 'think', 'tanks?', 'mourning flowers']) expect(smallTalkOf(text), text).toBeUndefined();
    expect(withoutSmallTalk('mourning flowers for a funeral')).toBe('mourning flowers for a funeral');
  });

  it('knows the short forms, acknowledgements, emoji and the people it is addressed to', () => {
    for (const text of [
      'tnx',
      'ty',
      'cheers mate',
      'noted',
      'noted with thanks',
      'ok sure',
      'okie dokie',
      'alright thanks',
      '🙏🙏',
      '👍 thanks',
      'asante sana',
    ]) {
      expect(smallTalkOf(text), text).toBe('thanks');
    }
    for (const text of ['hi hello', 'hey there', "good evening ma'am", 'good morning doctor', 'hello ji', 'hai', 'hw r u'])
      expect(smallTalkOf(text), text).toBe('greeting');
    for (const text of ['sawa, bye', 'tc', 'haha ok bye']) expect(smallTalkOf(text), text).toBe('goodbye');
    for (const text of ['doctor available today?', 'noted, can I change the time?', 'ok and the price for 2?']) expect(smallTalkOf(text), text).toBeUndefined();
    expect(withoutSmallTalk('hi doctor, are you open today')).toBe('are you open today');
  });

  it('leaves the question after any small talk in front of it', () => {
    expect(withoutSmallTalk('Thanks sir. And do you open on sunday?')).toBe('do you open on sunday?');
    expect(withoutSmallTalk('ok thank you, how much is delivery')).toBe('how much is delivery');
    expect(withoutSmallTalk('Thankyou')).toBe('Thankyou');
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
    // A time of day run into the next word is part of the question.
    expect(withoutSmallTalk('evening classes on fridays?')).toBe('evening classes on fridays?');
    expect(withoutSmallTalk('Morning! do you open at 8')).toBe('do you open at 8');
    expect(withoutSmallTalk('morning all, do you open at 8')).toBe('do you open at 8');
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
