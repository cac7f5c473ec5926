// Fails when the modules of src/ import each other in a circle (type-only imports count too: a
// cycle of types is still two modules that cannot be understood apart). Linear in the import graph.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const importPattern = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

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

const files = sourceFiles(root);
const graph = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = new Set<string>();
  for (const match of text.matchAll(importPattern)) {
    const target = resolveImport(file, match[1] ?? match[2] ?? '');
    if (target?.startsWith(root)) targets.add(target);
  }
  graph.set(file, [...targets]);
}

// Tarjan's strongly connected components: every component of more than one module is a cycle.
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
  for (const next of graph.get(node) ?? []) {
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
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component);
  }
}
for (const file of files) if (!indexOf.has(file)) visit(file);

if (cycles.length === 0) {
  console.log(`No import cycles among ${files.length} modules of ${relative(process.cwd(), root) || '.'}.`);
} else {
  for (const cycle of cycles) {
    console.error(
      `Import cycle of ${cycle.length} modules:\n  ${cycle
        .map((file) => relative(process.cwd(), file))
        .sort()
        .join('\n  ')}`,
    );
  }
  process.exit(1);
}
