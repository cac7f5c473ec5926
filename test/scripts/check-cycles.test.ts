// The import rules `npm run lint` enforces, each shown failing and passing on a small tree written
// to a temporary directory, and the real src/ passing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImports } from '../../scripts/check-cycles.js';

let roots: string[] = [];
afterEach(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  roots = [];
});

/** A src/ tree of the given files (path → text); answers its root. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'check-cycles-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const base = {
  'providers/provider.ts': 'export type ProviderName = string;\n',
  'providers/registry.ts': "import type { ProviderName } from './provider.js';\nexport const names: ProviderName[] = [];\n",
  'providers/twilio/numbers.ts': "import type { ProviderName } from '../provider.js';\nexport const twilio: ProviderName = 'twilio';\n",
  'services/context.ts': "import type { Writer } from './inbound/writes.js';\nexport interface AppContext { writer?: Writer }\n",
  'services/inbound/writes.ts': 'export interface Writer { write(): void }\n',
  'services/inbound/receive.ts':
    "import type { AppContext } from '../context.js';\nimport { send } from '../outbound/send.js';\nexport const receive = (ctx: AppContext) => send(ctx);\n",
  'services/outbound/send.ts':
    "import type { AppContext } from '../context.js';\nimport { names } from '../../providers/registry.js';\nexport const send = (_ctx: AppContext) => names;\n",
};

describe('checkImports', () => {
  it('passes a tree that keeps every rule (context.ts naming a domain’s state is no folder cycle)', () => {
    expect(checkImports(tree(base))).toEqual([]);
  });

  it('fails a service that imports a file of one provider, naming the file and the import', () => {
    const problems = checkImports(
      tree({ ...base, 'services/outbound/send.ts': "import { twilio } from '../../providers/twilio/numbers.js';\nexport const send = () => twilio;\n" }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("services/outbound/send.ts: imports '../../providers/twilio/numbers.js', a file of one provider");
  });

  it('lets files outside services/ use a provider’s folder (the registry lists the adapters)', () => {
    const files = { ...base, 'providers/registry.ts': "import { twilio } from './twilio/numbers.js';\nexport const names = [twilio];\n" };
    expect(checkImports(tree(files))).toEqual([]);
  });

  it('fails folders of services/ that import each other in a circle, though no module imports itself back', () => {
    const problems = checkImports(
      tree({
        ...base,
        'services/outbound/status.ts': "import { receive } from '../inbound/receive.js';\nexport const again = receive;\n",
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('Import cycle of 2 folders of services/: services/inbound, services/outbound');
    expect(problems[0]).toContain("services/inbound/receive.ts → '../outbound/send.js'");
    expect(problems[0]).toContain("services/outbound/status.ts → '../inbound/receive.js'");
  });

  it('fails modules that import each other in a circle, type-only imports included', () => {
    const problems = checkImports(
      tree({
        ...base,
        'core/a.ts': "import type { B } from './b.js';\nexport type A = B[];\n",
        'core/b.ts': "import type { A } from './a.js';\nexport type B = { a: A };\n",
      }),
    );
    expect(problems).toEqual([
      expect.stringContaining("Import cycle of 2 modules: core/a.ts, core/b.ts; its imports:\n  core/a.ts → './b.js'\n  core/b.ts → './a.js'"),
    ]);
  });

  it('fails a relative side-effect import, which binds nothing the rules could follow, and passes a package one', () => {
    const problems = checkImports(tree({ ...base, 'services/inbound/receive.ts': "import '../outbound/send.js';\nexport const receive = 1;\n" }));
    expect(problems).toEqual([expect.stringContaining("services/inbound/receive.ts: side-effect import '../outbound/send.js' binds nothing")]);
    expect(checkImports(tree({ ...base, 'main.ts': "import 'node:process';\nexport const started = true;\n" }))).toEqual([]);
  });

  it('finds nothing broken in src/', () => {
    expect(checkImports('src')).toEqual([]);
  });
});
