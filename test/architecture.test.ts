import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../lib/config/cdk-json';

// The module graph of the project's own code, read with the TypeScript compiler's import scanner (static
// imports, `import type`, and `require(...)` calls alike).
const FOLDERS = ['bin', 'lib', 'k8s', 'scripts'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(PROJECT_ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(PROJECT_ROOT, join(entry.parentPath, entry.name)));
}

function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(PROJECT_ROOT, file), 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(file), name));
      return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => graph.has(candidate)) ?? `${base}.ts`;
    });
}

const graph = new Map<string, string[]>(FOLDERS.flatMap(sourceFiles).map((file) => [file, []]));
for (const file of graph.keys()) graph.set(file, importsOf(file));

test('the scanner sees the project (a sanity check on the graph itself)', () => {
  expect(graph.get('bin/app.ts')).toEqual(expect.arrayContaining(['lib/mixed-arch-eks-stack.ts', 'k8s/app.ts']));
  expect(graph.get('k8s/app.ts')).toEqual(expect.arrayContaining(['lib/config/project-config.ts']));
});

test('no module imports itself through others (no import cycle)', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  expect(cycles).toEqual([]);
});

test('dependencies point one way: lib/ knows neither k8s/ nor bin/, k8s/ does not know bin/', () => {
  const wrong = [...graph].flatMap(([file, imports]) => imports
    .filter((target) => (file.startsWith('lib/') && /^(k8s|bin)\//.test(target)) || (file.startsWith('k8s/') && target.startsWith('bin/')))
    .map((target) => `${file} -> ${target}`));
  expect(wrong).toEqual([]);
});
