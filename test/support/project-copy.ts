/**
 * A throwaway copy of this project (sources, cdk.json, cdk8s.yaml, package.json; node_modules linked), so a test
 * can run the real npm scripts with another cdk.json and let them write dist/ and cdk.out/ without touching ours.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { TEST_CDK_JSON } from './cdk';

export interface ProjectCopy {
  readonly dir: string;
  remove(): void;
}

/**
 * Copies the project with the tests' cdk.json (TEST_CDK_JSON); `context` replaces keys of its context.
 * @param linkNodeModules link ours (to run the apps); leave it out for a script that deletes below node_modules.
 */
export function copyProject(context: Record<string, unknown> = {}, linkNodeModules = true): ProjectCopy {
  const dir = mkdtempSync(join(tmpdir(), 'project-copy-'));
  for (const entry of ['bin', 'lib', 'k8s', 'scripts', 'package.json', 'cdk8s.yaml', 'tsconfig.json']) {
    cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
  }
  if (linkNodeModules) symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const cdkJson = JSON.parse(readFileSync(TEST_CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  cdkJson.context = { ...cdkJson.context, ...context };
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson, null, 2));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
