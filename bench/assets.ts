// Figures that need no load: the widget's download size and the retrieval answerer's speed.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const WIDGET_BUNDLE = fileURLToPath(new URL('../public/build/widget.js', import.meta.url));

export function measureWidgetSize(): { bytes: number; gzippedBytes: number } | { missing: string } {
  if (!existsSync(WIDGET_BUNDLE)) return { missing: 'public/build/widget.js is not built (npm run build:web)' };
  const bundle = readFileSync(WIDGET_BUNDLE);
  return { bytes: bundle.length, gzippedBytes: gzipSync(bundle, { level: 9 }).length };
}

/** The knowledge engineer's retrieval bench (bench/answers.ts `benchAnswers()`), when it exists. */
export async function measureAnswers(): Promise<unknown> {
  const file = fileURLToPath(new URL('./answers.ts', import.meta.url));
  if (!existsSync(file)) return { missing: 'bench/answers.ts is not there yet' };
  const specifier = './answers.js'; // written by the knowledge engineer; absent until then
  const module = (await import(specifier)) as { benchAnswers: () => Promise<unknown> };
  return module.benchAnswers();
}
