// `npm start`: the whole product on one process.
import { ConfigError, loadConfig } from './config.js';
import { createContext, type RunningServer, startServer } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const ctx = await createContext(config);
  const server = await startServer(ctx);
  ctx.log.info({ url: server.url }, 'Switchboard is listening');
  console.log(startupBanner(server));

  // SIGTERM: stop within SHUTDOWN_TIMEOUT_MS whatever runs (unfinished jobs are taken back by the
  // next start, or after their lease); a second signal ends the process at once.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      ctx.log.warn({ signal }, 'second signal: stopping now');
      process.exit(1);
    }
    stopping = true;
    const timeoutMs = config.shutdownTimeoutMs;
    ctx.log.info({ signal, timeoutMs }, 'shutting down');
    // The last word, should closing itself hang.
    setTimeout(() => process.exit(1), timeoutMs).unref();
    server.stop({ timeoutMs: timeoutMs - Math.min(1_000, timeoutMs / 10) }).then(
      (finished) => process.exit(finished ? 0 : 1),
      (err: Error) => {
        ctx.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** What a person starting Switchboard needs: where to go, and a key when one was made for them. */
function startupBanner(server: RunningServer): string {
  const base = server.ctx.config.publicUrl;
  const lines = ['', `Switchboard is running at ${base}`, `  Dashboard:     ${base}/`];
  if (server.demo?.widgetPublicKey) lines.push(`  Demo website:  ${base}/demo`);
  if (server.ctx.config.simulator) lines.push(`  Simulator:     ${base}/simulator`);
  if (server.generatedAdminKey) {
    lines.push(`  Admin API key: ${server.generatedAdminKey}  (shown once; set ADMIN_API_KEY to choose your own)`);
  }
  if (server.demo?.apiKey) {
    lines.push(`  Demo organization "${server.demo.organizationName}" key: ${server.demo.apiKey}  (shown once)`);
  }
  if (server.demo) {
    lines.push(
      `  Try it: on the simulator, write to ${server.demo.businessNumber} from ${server.demo.customerNumber};`,
      `  on the demo website, ask for a human and answer from an agent's phone (${server.demo.agentNumbers.join(', ')}).`,
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((err) => {
  console.error(`Switchboard could not start: ${(err as Error).message}`);
  process.exit(1);
});
