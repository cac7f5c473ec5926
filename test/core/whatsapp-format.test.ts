import { describe, expect, it } from 'vitest';
import { formatWhatsappText } from '../../src/core/whatsapp-format.js';

describe('formatWhatsappText', () => {
  it('reads *bold*, _italic_, ~strike~ and ```mono``` as WhatsApp does', () => {
    expect(formatWhatsappText('Hi *there*, _welcome_ ~back~')).toEqual([
      { text: 'Hi ' },
      { text: 'there', bold: true },
      { text: ', ' },
      { text: 'welcome', italic: true },
      { text: ' ' },
      { text: 'back', strike: true },
    ]);
    expect(formatWhatsappText('Run ```npm *start*``` now')).toEqual([{ text: 'Run ' }, { text: 'npm *start*', mono: true }, { text: ' now' }]);
  });

  it('nests one style in another', () => {
    expect(formatWhatsappText('*_both_*')).toEqual([{ text: 'both', bold: true, italic: true }]);
    expect(formatWhatsappText('🔔 *Agent Handover Request*\n👤 USER: Ana')).toEqual([
      { text: '🔔 ' },
      { text: 'Agent Handover Request', bold: true },
      { text: '\n👤 USER: Ana' },
    ]);
  });

  it('leaves markers inside words, around spaces or across lines as typed', () => {
    for (const text of ['2*3*4', 'snake_case_name', '* not bold *', '*across\nlines*', 'a * b', '**']) {
      expect(formatWhatsappText(text)).toEqual([{ text }]);
    }
  });
});
