#!/usr/bin/env node
// `npx switchboard …`: the CLI compiled with the server (`npm run build` → dist/cli.js), run as
// plain JavaScript. Only a source checkout that was never built runs the TypeScript through tsx's
// loader. Either way in this process, exit codes kept.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli.js', import.meta.url);
let cli;
if (existsSync(compiled)) {
  cli = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli.ts', import.meta.url).href);
}
process.exitCode = await cli.runCli(process.argv.slice(2));
