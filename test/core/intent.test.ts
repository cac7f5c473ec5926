import { describe, expect, it } from 'vitest';
import { withLocationAsked } from '../../src/core/intent.js';

describe('a question asking where the business is', () => {
  it('asks for the location in the words the location entry uses', () => {
    for (const question of ['where is ur shop', 'where is the clinic exactly', 'Hi where exactly are you?', 'Where are you based?', 'where are you guys']) {
      expect(withLocationAsked(question), question).toBe(`${question} location`);
    }
  });

  it('leaves other "where" questions, and questions already asking for the location, as they are', () => {
    for (const question of ['where is the parking', 'where do lessons take place?', 'where is my order', 'wer r u located', 'where is your address']) {
      expect(withLocationAsked(question), question).toBe(question);
    }
  });
});
