#!/usr/bin/env node
// `npx switchboard …`: the TypeScript CLI through tsx's loader, in this process (exit codes kept).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../src/cli.ts', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2));
