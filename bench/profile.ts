// `npx tsx bench/profile.ts [twilio|meta]`: the webhook path under load with --cpu-prof, then the
// functions and files that took the most CPU. This is how a figure short of SPEC §13 is explained.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLIC_URL, productEnv } from './env.js';
import { runLoad, startTarget } from './load.js';
import { metaInbound, twilioInbound } from './payloads.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const provider = process.argv[2] === 'meta' ? 'meta' : 'twilio';
const build = provider === 'meta' ? metaInbound : (n: number) => twilioInbound(PUBLIC_URL, n);
const dir = mkdtempSync(join(tmpdir(), 'switchboard-profile-'));
try {
  const target = await startTarget('app', productEnv(`sqlite:${join(dir, 'profile.db')}`), ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const result = await runLoad({ target, path: build(0).path, request: build, seconds: SECONDS });
  await target.stop();
  console.log(`${provider} webhook: ${result.requestsPerSecond} req/s, ${result.cpuMicrosPerRequest} µs CPU per request`);

  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Only the load: start-up (module loading, migrations) comes before it and is left out.
  const elapsed: number[] = [];
  profile.timeDeltas.reduce((sum, delta, i) => (elapsed[i] = sum + delta), 0);
  const loadStart = elapsed.at(-1)! - (SECONDS + 0.5) * 1e6;
  profile.samples.forEach((id, i) => {
    if (elapsed[i]! >= loadStart) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const tally = (key: (node: ProfileNode) => string) => {
    const sums = new Map<string, number>();
    for (const [id, micros] of self) {
      const k = key(byNode.get(id)!);
      sums.set(k, (sums.get(k) ?? 0) + micros);
    }
    return [...sums].sort((a, b) => b[1] - a[1]).slice(0, 20);
  };
  const where = (url: string) =>
    url
      .replace(/^file:\/\//, '')
      .replace(/.*node_modules\//, 'npm:')
      .replace(/.*\/work\/main\//, '');
  console.log('\nself time by file/package');
  for (const [name, micros] of tally((n) => where(n.callFrame.url).split('/').slice(0, 2).join('/') || `(${n.callFrame.functionName || 'native'})`)) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
  console.log('\nself time by function');
  for (const [name, micros] of tally((n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`)) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
