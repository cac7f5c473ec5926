// The kind of a file as WhatsApp names it (Meta's and Whapi's send types), from its MIME type; and
// how a file received from outside (provider media, visitor uploads) is served back.

/** The WhatsApp media kind for a MIME type; anything that is not an image, a video or audio is a document. */
export function mediaKindOf(mimeType: string | undefined): 'image' | 'video' | 'audio' | 'document' {
  const top = (mimeType ?? '').split('/')[0];
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The formats a browser may show inline: each is recognized by its first bytes (a magic number) and
 * lists the MIME types it may be declared as. SVG is not here: it is a page that can run scripts.
 */
const INLINE_FORMATS: ReadonlyArray<{ types: readonly string[]; matches: (bytes: Uint8Array) => boolean }> = [
  { types: ['image/png'], matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { types: ['image/jpeg'], matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { types: ['image/gif'], matches: (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')) },
  { types: ['image/webp'], matches: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8) },
  { types: ['application/pdf'], matches: (b) => startsWith(b, ascii('%PDF-')) },
  // WhatsApp voice notes are Ogg Opus.
  { types: ['audio/ogg', 'video/ogg', 'audio/opus'], matches: (b) => startsWith(b, ascii('OggS')) },
  { types: ['audio/mpeg'], matches: (b) => startsWith(b, ascii('ID3')) || (b[0] === 0xff && ((b[1] ?? 0) & 0xe6) === 0xe2) },
  { types: ['audio/aac'], matches: (b) => b[0] === 0xff && ((b[1] ?? 0) & 0xf6) === 0xf0 },
  { types: ['audio/amr'], matches: (b) => startsWith(b, ascii('#!AMR')) },
  { types: ['audio/wav'], matches: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WAVE'), 8) },
  // ISO base media (MP4, M4A, 3GP, QuickTime): a box size, then `ftyp`.
  {
    types: ['video/mp4', 'audio/mp4', 'video/3gpp', 'audio/3gpp', 'video/quicktime'],
    matches: (b) => startsWith(b, ascii('ftyp'), 4),
  },
  { types: ['video/webm', 'audio/webm'], matches: (b) => startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]) },
];

/** Other spellings of the types above, as senders write them. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
};

/** A filename that is safe inside a quoted header parameter: word characters, dots and dashes. */
export function safeFilename(filename: string | null | undefined): string {
  const name = (filename ?? '').replace(/[^\w.-]+/g, '_').slice(0, 200);
  return name.replace(/^[._]+$/, '') || 'file';
}

/**
 * The headers that serve a file received from outside so that it can never run as a page of our
 * origin. It is shown inline only when its declared type is an image, audio, video or PDF format and
 * its first bytes are that format; anything else (HTML, SVG, XHTML, a PNG that is really HTML, an
 * unknown type) is an `application/octet-stream` attachment. Every answer also carries `nosniff`
 * and a sandboxing CSP, so even a wrongly typed file gets no scripts and no origin.
 */
export function safeMediaAnswer(declaredType: string | null | undefined, bytes: Uint8Array, filename: string | null | undefined): Record<string, string> {
  const base = (declaredType ?? '').split(';')[0]!.trim().toLowerCase();
  const declared = ALIASES[base] ?? base;
  const format = INLINE_FORMATS.find((f) => f.types.includes(declared));
  const inline = format?.matches(bytes) === true;
  const name = safeFilename(filename);
  return {
    'content-type': inline ? declared : 'application/octet-stream',
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'sandbox',
  };
}
