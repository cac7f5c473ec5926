// The import rules of src/, run by `npm run lint`; each broken rule is reported with the file and
// the import that breaks it, and the process fails.
// - No module imports itself back through others (type-only imports count too: a cycle of types
//   is still two modules that cannot be understood apart).
// - The folders of services/ form no cycle either: a folder is a domain, and two domains that need
//   each other are one domain in two places.
// - services/ reaches providers only through providers/provider.ts, registry.ts and transport.ts;
//   what one provider does is an ability of its adapter, not a flow that names it.
// - No relative side-effect import (`import './x.js'`): it binds nothing, so nothing shows what it
//   is for, and an import the rules above read only through bindings would go unseen.
// Linear in the import graph.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const importPattern = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const sideEffectPattern = /(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;
/** The shared part of providers/ a service may import; everything in a provider's folder is that provider's. */
const PROVIDER_FOLDER = /^providers\/[^/]+\//;

interface Import {
  from: string;
  to: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.m?js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** Tarjan's strongly connected components: every component of more than one node, or a node importing itself, is a cycle. */
function cyclesOf(nodes: string[], edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowOf = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  function visit(node: string): void {
    indexOf.set(node, index);
    lowOf.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        lowOf.set(node, Math.min(lowOf.get(node)!, lowOf.get(next)!));
      } else if (onStack.has(next)) {
        lowOf.set(node, Math.min(lowOf.get(node)!, indexOf.get(next)!));
      }
    }
    if (lowOf.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || edges.get(node)?.has(node)) cycles.push(component.sort());
    }
  }
  for (const node of nodes) if (!indexOf.has(node)) visit(node);
  return cycles;
}

/** Every broken rule under `root` (src/), as sentences naming the file and the import; empty when none. */
export function checkImports(root: string): string[] {
  root = resolve(root);
  const name = (file: string) => relative(root, file).split(sep).join('/');
  const files = sourceFiles(root);
  const problems: string[] = [];
  const imports: Import[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2] ?? '';
      const to = resolveImport(file, specifier);
      if (to?.startsWith(root)) imports.push({ from: file, to, specifier });
    }
    for (const match of text.matchAll(sideEffectPattern)) {
      problems.push(`${name(file)}: side-effect import '${match[1]}' binds nothing; import what is used from it, so the import rules can see it.`);
    }
  }

  for (const { from, to, specifier } of imports) {
    if (name(from).startsWith('services/') && PROVIDER_FOLDER.test(name(to))) {
      problems.push(
        `${name(from)}: imports '${specifier}', a file of one provider; services reach providers through providers/provider.ts, registry.ts and transport.ts (make it an ability of the adapter).`,
      );
    }
  }

  problems.push(...cycleProblems(files, imports, name, (file) => file, 'modules'));
  // A file in a folder of services/ stands for its folder, one directly under it for itself.
  // services/context.ts (the context's type, naming each domain's per-process state) is the wiring
  // they all share, not a domain: it stays out of this graph; the module check still sees its cycles.
  const inGraph = (file: string) => name(file).startsWith('services/') && name(file) !== 'services/context.ts';
  const serviceImports = imports.filter((i) => inGraph(i.from) && inGraph(i.to));
  const folderOf = (file: string) => name(file).split('/').slice(0, 2).join('/');
  const folders = [...new Set(files.filter(inGraph).map(folderOf))];
  problems.push(...cycleProblems(folders, serviceImports, name, folderOf, 'folders of services/'));
  return [...new Set(problems)];
}

/** The cycles of the graph whose nodes are `nodeOf(file)`, each with the imports that close it. */
function cycleProblems(nodes: string[], imports: Import[], name: (file: string) => string, nodeOf: (file: string) => string, what: string): string[] {
  const edges = new Map<string, Set<string>>();
  const witnesses = new Map<string, Import[]>();
  for (const i of imports) {
    const [from, to] = [nodeOf(i.from), nodeOf(i.to)];
    if (from === to && what !== 'modules') continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)!.add(to);
    const key = `${from}\n${to}`;
    witnesses.set(key, [...(witnesses.get(key) ?? []), i]);
  }
  return cyclesOf(nodes, edges).map((cycle) => {
    const members = new Set(cycle);
    const closing = [...witnesses.entries()]
      .filter(([key]) => {
        const [from, to] = key.split('\n');
        return members.has(from!) && members.has(to!);
      })
      .map(([, [first, ...more]]) => `${name(first!.from)} → '${first!.specifier}'${more.length ? ` (and ${more.length} more such)` : ''}`)
      .sort();
    const listed = what === 'modules' ? cycle.map(name) : cycle;
    return `Import cycle of ${cycle.length} ${what}: ${listed.join(', ')}; its imports:\n  ${closing.join('\n  ')}`;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = process.argv[2] ?? 'src';
  const problems = checkImports(root);
  if (problems.length === 0) {
    console.log(`No broken import rules among the modules of ${root}.`);
  } else {
    for (const problem of problems) console.error(problem);
    process.exit(1);
  }
}
