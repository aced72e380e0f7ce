import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../lib/config/cdk-json';

// The README says `.ci/run` and the pipeline's test job run the same steps: the same Debian packages (each
// used by a test), then npm ci and npm test. This keeps them from drifting apart (a package one of them
// installs that nothing uses, such as skopeo once was).
const ciRun = readFileSync(join(PROJECT_ROOT, '.ci', 'run'), 'utf8');
const pipeline = parse(readFileSync(join(PROJECT_ROOT, '.gitlab-ci.yml'), 'utf8'), { merge: true }) as Record<string, { before_script?: string[]; script?: string[] }>;

const ciRunPackages = [...ciRun.matchAll(/\|\| need\+=\(([\w.+-]+)\)/g)].map((m) => m[1]).sort();
const pipelinePackages = (pipeline.test.before_script ?? [])
  .flatMap((line) => /apt-get install (.*)/.exec(line)?.[1].split(/\s+/) ?? [])
  .filter((word) => !word.startsWith('-'))
  // ca-certificates, which the pipeline adds to its image, is a base package on the machines .ci/run targets.
  .filter((pkg) => pkg !== 'ca-certificates')
  .sort();

test('.ci/run and the pipeline test job install the same Debian packages', () => {
  expect(ciRunPackages).toEqual(['apache2-utils', 'docker-registry', 'git', 'openssl', 'python3']);
  expect(pipelinePackages).toEqual(ciRunPackages);
});

test('both then run npm ci and npm test', () => {
  expect(pipeline.test.script).toEqual(['npm ci', 'npm test']);
  expect(ciRun).toMatch(/^npm ci --no-audit --no-fund$/m);
  expect(ciRun).toMatch(/^npm test 2>&1 \| tee "\$log"$/m);
});
