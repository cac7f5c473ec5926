import { describe, expect, it } from 'vitest';
import { mediaKindOf, safeMediaAnswer } from '../../src/core/media.js';

describe('mediaKindOf', () => {
  it('names images, videos and audio by their MIME type', () => {
    expect(mediaKindOf('image/jpeg')).toBe('image');
    expect(mediaKindOf('video/mp4')).toBe('video');
    expect(mediaKindOf('audio/ogg; codecs=opus')).toBe('audio');
  });

  it('calls everything else a document, a missing type too', () => {
    expect(mediaKindOf('application/pdf')).toBe('document');
    expect(mediaKindOf('text/plain')).toBe('document');
    expect(mediaKindOf('')).toBe('document');
    expect(mediaKindOf(undefined)).toBe('document');
  });
});

describe('safeMediaAnswer', () => {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
  const HTML = Buffer.from('<html><script>alert(localStorage["switchboard.key"])</script></html>');
  const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  const OGG = Buffer.from('OggS\0\x02 opus voice note', 'latin1');
  const MP4 = Buffer.from('\0\0\0\x18ftypmp42 a video', 'latin1');
  const kept = (headers: Record<string, string>) => [headers['content-type'], headers['content-disposition']?.split(';')[0]];

  it('shows images, audio, video and PDF inline when their bytes are what they are declared as', () => {
    expect(kept(safeMediaAnswer('image/png', PNG, 'a.png'))).toEqual(['image/png', 'inline']);
    expect(kept(safeMediaAnswer('image/jpg', JPEG, 'a.jpg'))).toEqual(['image/jpeg', 'inline']);
    expect(kept(safeMediaAnswer('audio/ogg; codecs=opus', OGG, null))).toEqual(['audio/ogg', 'inline']);
    expect(kept(safeMediaAnswer('video/mp4', MP4, null))).toEqual(['video/mp4', 'inline']);
    expect(kept(safeMediaAnswer('application/pdf', Buffer.from('%PDF-1.7\n'), 'x.pdf'))).toEqual(['application/pdf', 'inline']);
  });

  it('makes everything else an octet-stream attachment: pages, SVG, XHTML, a PNG that is HTML, no type', () => {
    const attachment = ['application/octet-stream', 'attachment'];
    expect(kept(safeMediaAnswer('text/html', HTML, 'x.html'))).toEqual(attachment);
    expect(kept(safeMediaAnswer('image/svg+xml', SVG, 'x.svg'))).toEqual(attachment);
    expect(kept(safeMediaAnswer('application/xhtml+xml', HTML, 'x.xhtml'))).toEqual(attachment);
    expect(kept(safeMediaAnswer('image/png', HTML, 'x.png'))).toEqual(attachment);
    expect(kept(safeMediaAnswer('image/png', JPEG, 'x.png'))).toEqual(attachment);
    expect(kept(safeMediaAnswer('application/pdf', HTML, 'x.pdf'))).toEqual(attachment);
    expect(kept(safeMediaAnswer(undefined, PNG, 'x.png'))).toEqual(attachment);
    expect(kept(safeMediaAnswer('image/png', Buffer.alloc(0), 'x.png'))).toEqual(attachment);
  });

  it('always forbids sniffing and sandboxes the answer, and keeps the filename inside its quotes', () => {
    for (const headers of [safeMediaAnswer('image/png', PNG, 'a.png'), safeMediaAnswer('text/html', HTML, 'x.html')]) {
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-security-policy']).toBe('sandbox');
    }
    expect(safeMediaAnswer('text/plain', HTML, 'a"; filename*=x\r\n.txt')['content-disposition']).toBe('attachment; filename="a_filename_x_.txt"');
    expect(safeMediaAnswer('text/plain', HTML, '..')['content-disposition']).toBe('attachment; filename="file"');
  });
});
