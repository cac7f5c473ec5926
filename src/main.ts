// `npm start`: the whole product on one process.
import { ConfigError, loadConfig } from './config.js';
import { startupBanner } from './banner.js';
import { createContext, startServer } from './server.js';
import { warmSynonyms } from './services/knowledge/synonyms.js';
import { listOrganizations } from './services/tenancy/organizations.js';

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
  // WordNet and the spoken word counts load once (a few hundred ms): now, not in the first customer's answer.
  setImmediate(warmSynonyms);
  const organizations = await listOrganizations(ctx);
  console.log(
    startupBanner({
      publicUrl: config.publicUrl,
      simulator: config.simulator,
      demo: server.demo,
      generatedAdminKey: server.generatedAdminKey,
      adminKeyConfigured: Boolean(config.adminApiKey),
      ownOrganizations: organizations.filter((o) => o.id !== server.demo?.organizationId).length,
    }),
  );

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

main().catch((err) => {
  console.error(`Switchboard could not start: ${(err as Error).message}`);
  process.exit(1);
});
