import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';

/** The user documentation: README.md and every docs/*.md, in that order. */
export function documentationFiles(): string[] {
  const docs = readdirSync(join(PROJECT_ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join('docs', f));
  return ['README.md', ...docs];
}

/** One documentation file's text, by its path from the project root (`README.md`, `docs/upgrades.md`). */
export function readDoc(path: string): string {
  return readFileSync(join(PROJECT_ROOT, path), 'utf8');
}

/** README.md and docs/*.md as one text, for tests that check every example wherever it is written. */
export function readAllDocs(): string {
  return documentationFiles().map(readDoc).join('\n');
}
