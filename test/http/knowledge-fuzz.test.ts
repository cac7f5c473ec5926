// Generated documents — random text, HTML, CSV and Markdown, from a few bytes up to the 5 MB upload
// limit, made of repeated pieces (what sets off a pattern's backtracking) — are uploaded and
// trained through the API: never a 5xx, every refusal a 4xx sentence, and time in proportion to
// the size (a bound per kilobyte), so no upload or training can hold the process.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startAdminApi, type AdminApi } from './admin-client.js';

const UPLOAD_LIMIT = 5 * 1024 * 1024;
/** Generous: linear work here measures well under 1 ms a kilobyte; a quadratic scan of 1 MB needs thousands. */
const MS_PER_KB = 50;
const FIXED_MS = 2000;

let api: AdminApi;

beforeAll(async () => {
  // Words only: sentence vectors for megabytes of passages would take the encoder minutes.
  api = await startAdminApi({ env: { ANSWER_BY_MEANING: 'off' } });
});
afterAll(() => api.server.stop());

const words = ['bike', 'rent', 'Repair', 'price', '$15', '9am', '2-3 days', 'e-bike', "we'll", 'café', '100000000000', 'a-b-c-d'];
const piecesOf: Record<string, string[]> = {
  txt: [...words, ' ', '  ', '\t', '\n', '\n\n', '\r\n', '.', '?', '!', 'Q:', 'A:', '\u2028', '\u00a0', '…', '😀'],
  md: [...words, '#', '## ', '###### ', '*', '**', '_', '[', '](', ')', '`', '```', '> ', '- ', '  - ', '1. ', ' ', '\n', '\n\n', 'Q: ', 'A: ', '#'.repeat(7)],
  html: [
    ...words,
    '<',
    '>',
    '</',
    '/',
    ' ',
    '\n',
    '<p>',
    '</p>',
    '<h1>',
    '</h1>',
    '<h2 class="x">',
    '</h2 >',
    '<script>',
    '</script>',
    '<style>',
    '<!--',
    '-->',
    '<li>',
    '<li',
    '<br/>',
    '<title>',
    '</title>',
    '<td>',
    '</td>',
    '&amp;',
    '&#x41;',
    '&#999999999;',
    '&',
    ';',
    '<head>',
    '<svg',
    '"',
    "'",
  ],
  csv: [...words, ',', '"', '""', '\n', '\r\n', ' ', 'question,answer\n', 'Question,Answer,Notes\n', '\t', ';'],
};

/** A document of one format: a random piece sequence repeated up to a random size (log-scaled up to the limit). */
const upload = fc
  .record({
    type: fc.constantFrom('txt', 'md', 'html', 'csv'),
    seed: fc.nat(),
    exponent: fc.integer({ min: 4, max: 22 }),
    fraction: fc.double({ min: 0.5, max: 1, noNaN: true }),
    pieces: fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
    text: fc.string({ maxLength: 30 }),
  })
  .map(({ type, exponent, fraction, pieces, text }) => {
    const alphabet = piecesOf[type]!;
    const unit = pieces.map((i) => alphabet[i % alphabet.length]).join('') + text;
    const size = Math.min(UPLOAD_LIMIT, Math.max(1, Math.round(2 ** exponent * fraction)));
    const head = type === 'csv' ? 'question,answer\n' : '';
    const content = (head + unit.repeat(Math.ceil(size / unit.length))).slice(0, size);
    return { filename: `fuzzed.${type}`, content };
  });

function multipart(filename: string, content: Buffer) {
  const boundary = '----switchboard-fuzz-boundary';
  return {
    boundary,
    payload: Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  };
}

describe('fuzzed document uploads and training', () => {
  it('answer 201 or a 4xx sentence and train in time proportional to their size', async () => {
    // The worst time per kilobyte over documents of 100 KB or more (below, the fixed costs dominate), and the largest.
    const worst = { upload: 0, training: 0, largest: 0 };
    let trained = 0;
    await fc.assert(
      fc.asyncProperty(upload, async ({ filename, content }) => {
        const shop = await api.organizationWithKey('Fuzz Shop');
        const bytes = Buffer.from(content);
        const kilobytes = Math.max(1, bytes.length / 1024);
        const { boundary, payload } = multipart(filename, bytes);
        const started = performance.now();
        const added = await api.server.app.inject({
          method: 'POST',
          url: `/api/organizations/${shop.id}/knowledge`,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
          payload,
        });
        const uploadMs = performance.now() - started;
        if (kilobytes >= 100) worst.upload = Math.max(worst.upload, uploadMs / kilobytes);
        worst.largest = Math.max(worst.largest, kilobytes);
        expect(uploadMs, `upload of ${kilobytes.toFixed(0)} KB`).toBeLessThan(FIXED_MS + MS_PER_KB * kilobytes);
        if (added.statusCode !== 201) {
          expect(added.statusCode, added.body.slice(0, 200)).toBeGreaterThanOrEqual(400);
          expect(added.statusCode, added.body.slice(0, 200)).toBeLessThan(500);
          expect(added.json()).toMatchObject({ ok: false, error: expect.any(String) });
          return;
        }
        const trainStarted = performance.now();
        const training = await api.call('POST', `/api/organizations/${shop.id}/train`, { key: shop.key, body: {} });
        const trainMs = performance.now() - trainStarted;
        if (kilobytes >= 100) worst.training = Math.max(worst.training, trainMs / kilobytes);
        // A document of more entries than an organization may have is refused at training with a sentence.
        if (training.status === 422) {
          expect(training.body).toMatchObject({ ok: false, code: 'TOO_MANY_ENTRIES', error: expect.any(String) });
          return;
        }
        expect(training.status, training.text.slice(0, 200)).toBe(200);
        expect(trainMs, `training on ${kilobytes.toFixed(0)} KB`).toBeLessThan(FIXED_MS + MS_PER_KB * kilobytes);
        const asked = await api.call('POST', `/api/organizations/${shop.id}/ask`, { key: shop.key, body: { question: 'how much to rent a bike?' } });
        expect(asked.status).toBe(200);
        trained++;
      }),
      { numRuns: 60 },
    );
    console.info(
      `fuzzed uploads up to ${worst.largest.toFixed(0)} KB: at most ${worst.upload.toFixed(3)} ms/KB to upload, ${worst.training.toFixed(3)} ms/KB to train (from 100 KB; ${trained} trained)`,
    );
    expect(trained).toBeGreaterThan(0);
  }, 300_000);
});
