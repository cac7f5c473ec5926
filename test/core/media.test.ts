import { describe, expect, it } from 'vitest';
import { mediaKindOf } from '../../src/core/media.js';

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
