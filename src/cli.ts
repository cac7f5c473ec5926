// The operator's command line: what gets scripted (create an organization, issue a key, assign a
// number, replay an unrouted event). It opens the database named by DATABASE_URL directly — no
// server needs to run — and prints JSON on stdout. Bad arguments: one sentence, exit code 2.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { AppError } from './core/errors.js';
import { PLAN_NAMES } from './core/plans.js';
import { toE164 } from './core/phone.js';
import type { AppContext } from './services/context.js';
import type { SharedTrialNumberInput } from './services/inbound/trial.js';

const TRIAL_PROVIDERS = ['twilio', 'meta', 'whapi', 'simulator'];

// The services load only once the arguments are good: a mistake is answered at once.
const services = async () => {
  const [organizations, apiKeys, provisioning, metaNumbers, inbound, trial] = await Promise.all([
    import('./services/tenancy/organizations.js'),
    import('./services/tenancy/api-keys.js'),
    import('./services/numbers/twilio-numbers.js'),
    import('./services/numbers/meta-numbers.js'),
    import('./services/inbound/receive.js'),
    import('./services/inbound/trial.js'),
  ]);
  return { ...organizations, ...apiKeys, ...provisioning, ...metaNumbers, ...inbound, ...trial };
};

const HELP = `Usage: switchboard <command> [options]

  org create --name NAME [--plan trial|starter|business] [--description TEXT]
  org list
  key create --org ORG_ID                      issue an organization API key (shown once)
  number provision --org ORG_ID --phone +1…   buy a Twilio number for the organization
  number assign-meta --org ORG_ID --phone-number-id ID [--display-number +1…]
  number set-trial --provider twilio|meta|whapi|simulator --phone +1… [--provider-id ID]
                                               the platform number trial organizations share
  unrouted list [--all]                        webhook events no organization took
  unrouted replay EVENT_ID                     route a kept event again (after assigning its number)

The database is DATABASE_URL's (default sqlite:./data/switchboard.db). Output is JSON.`;

/** A mistake in how the command was called: exit code 2. */
class UsageError extends Error {}

type Options = Record<string, string | boolean | undefined>;
type Services = Awaited<ReturnType<typeof services>>;

interface Command {
  /** option names this command takes (strings unless listed in `flags`) */
  options: string[];
  /** options that must be given; checked before the database is opened */
  needs?: string[];
  flags?: string[];
  positionals?: number;
  /** further argument checks, before the database is opened; throws UsageError */
  check?(options: Options, positionals: string[]): void;
  run(ctx: AppContext, s: Services, options: Options, positionals: string[]): Promise<unknown>;
}

/** A needed option's value (presence is checked up front by `needs`). */
const required = (options: Options, name: string): string => String(options[name]).trim();

const COMMANDS: Record<string, Command> = {
  'org create': {
    options: ['name', 'plan', 'description'],
    needs: ['name'],
    check(options) {
      if (options.plan !== undefined && !(PLAN_NAMES as readonly string[]).includes(String(options.plan))) {
        throw new UsageError(`--plan must be one of ${PLAN_NAMES.join(', ')}.`);
      }
    },
    async run(ctx, s, options) {
      const plan = typeof options.plan === 'string' ? options.plan : undefined;
      const org = await s.createOrganization(ctx, { name: required(options, 'name'), plan, description: options.description as string | undefined });
      return { ok: true, organization: await s.describeOrganization(ctx, org.id) };
    },
  },
  'org list': {
    options: [],
    async run(ctx, s) {
      return { ok: true, organizations: await s.organizationsJson(ctx, await s.listOrganizations(ctx)) };
    },
  },
  'key create': {
    options: ['org'],
    needs: ['org'],
    async run(ctx, s, options) {
      return { ok: true, ...(await s.createApiKey(ctx, required(options, 'org'))) };
    },
  },
  'number provision': {
    options: ['org', 'phone'],
    needs: ['org', 'phone'],
    async run(ctx, s, options) {
      return { ok: true, ...(await s.provisionNumber(ctx, required(options, 'org'), required(options, 'phone'))) };
    },
  },
  'number assign-meta': {
    options: ['org', 'phone-number-id', 'display-number'],
    needs: ['org', 'phone-number-id'],
    async run(ctx, s, options) {
      const displayNumber = typeof options['display-number'] === 'string' ? options['display-number'] : undefined;
      const store = await s.assignMetaNumber(ctx, required(options, 'org'), { phoneNumberId: required(options, 'phone-number-id'), displayNumber });
      return { success: true, store };
    },
  },
  'number set-trial': {
    options: ['provider', 'phone', 'provider-id'],
    needs: ['provider', 'phone'],
    check(options) {
      if (!TRIAL_PROVIDERS.includes(String(options.provider))) throw new UsageError(`--provider must be one of ${TRIAL_PROVIDERS.join(', ')}.`);
      if (!toE164(String(options.phone))) throw new UsageError('--phone must be an E.164 number such as +14155238886.');
    },
    async run(ctx, s, options) {
      const providerId = typeof options['provider-id'] === 'string' ? options['provider-id'] : undefined;
      const provider = String(options.provider) as SharedTrialNumberInput['provider'];
      const number = await s.setSharedTrialNumber(ctx, { provider, phoneNumber: toE164(String(options.phone))!, providerId });
      return { ok: true, number: { id: number.id, provider: number.provider, phoneNumber: number.phone_number, providerId: number.provider_id } };
    },
  },
  'unrouted list': {
    options: [],
    flags: ['all'],
    async run(ctx, s, options) {
      return { ok: true, events: await s.listUnroutedEvents(ctx, { includeReplayed: options.all === true }) };
    },
  },
  'unrouted replay': {
    options: [],
    positionals: 1,
    check(_options, [id]) {
      if (!/^\d+$/.test(id ?? '')) throw new UsageError('unrouted replay needs the event id, a whole number (see `unrouted list`).');
    },
    async run(ctx, s, _options, [id]) {
      return { ok: true, ...(await s.replayUnroutedEvent(ctx, Number(id))) };
    },
  },
};

/** Runs one command line; resolves to the exit code. Writes JSON to `out`, sentences to `err`. */
export async function runCli(
  argv: string[],
  io: { out: (text: string) => void; err: (text: string) => void } = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    io.out(`${HELP}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const name = argv.slice(0, 2).join(' ');
  const command = COMMANDS[name];
  if (!command) {
    io.err(`Unknown command "${argv.slice(0, 2).join(' ')}"; run switchboard --help for the list.\n`);
    return 2;
  }
  let parsed: { values: Options; positionals: string[] };
  try {
    const options = Object.fromEntries([
      ...command.options.map((o) => [o, { type: 'string' as const }]),
      ...(command.flags ?? []).map((o) => [o, { type: 'boolean' as const }]),
    ]);
    parsed = parseArgs({ args: argv.slice(2), options, allowPositionals: true, strict: true }) as { values: Options; positionals: string[] };
    if (parsed.positionals.length > (command.positionals ?? 0)) throw new UsageError(`Unexpected argument "${parsed.positionals[command.positionals ?? 0]}".`);
    const missing = (command.needs ?? []).find((o) => typeof parsed.values[o] !== 'string' || String(parsed.values[o]).trim() === '');
    if (missing) throw new UsageError(`--${missing} is required.`);
    command.check?.(parsed.values, parsed.positionals);
  } catch (err) {
    io.err(`${sentence((err as Error).message)} Run switchboard --help for usage.\n`);
    return 2;
  }

  let ctx: AppContext | undefined;
  try {
    const config = loadConfig();
    const [{ createContext }, { createLogger }, { default: pino }, loaded] = await Promise.all([
      import('./server.js'),
      import('./logger.js'),
      import('pino'),
      services(),
    ]);
    // Logs go to stderr so that stdout stays one JSON document.
    ctx = await createContext(config, { log: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2)) });
    const result = await command.run(ctx, loaded, parsed.values, parsed.positionals);
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`${sentence(err.message)}\n`);
      return 2;
    }
    if (err instanceof AppError) {
      io.err(`${sentence(err.message)}\n`);
      return 1;
    }
    io.err(`switchboard: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await ctx?.bus.close();
    await ctx?.database.close();
  }
}

/** The first sentence of a message (node's parseArgs adds advice we do not need). */
function sentence(text: string): string {
  const trimmed = text.trim().split(/(?<=[.!?])\s/)[0]!;
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

// `npm run cli -- …` runs this file; bin/switchboard.mjs imports it and calls runCli.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2));
}
