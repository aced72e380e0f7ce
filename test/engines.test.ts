import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { satisfies, validRange } from 'semver';

// `npm ci` warns (EBADENGINE) for every installed package whose `engines.node` refuses the running Node.js.
// The project supports the lowest release of each major that package.json `engines` names; every package
// that a plain `npm ci` installs must accept each of them.

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }>;
};

const SUPPORTED = ['20.19.0', '22.13.0', '24.0.0'];

test('package.json engines names Node.js 20.19+, 22.13+ and 24, and nothing older', () => {
  expect(pkg.engines.node).toBe('^20.19.0 || ^22.13.0 || ^24.0.0');
  for (const version of SUPPORTED) expect(satisfies(version, pkg.engines.node)).toBe(true);
  expect(satisfies('18.20.0', pkg.engines.node)).toBe(false);
  expect(satisfies('20.18.0', pkg.engines.node)).toBe(false);
});

test('every installed package accepts every supported Node.js release (no EBADENGINE on npm ci)', () => {
  const refused: string[] = [];
  let checked = 0;
  for (const [location, entry] of Object.entries(lock.packages)) {
    const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (location === '' || entry.optional || range === undefined || validRange(range) === null) continue;
    checked++;
    for (const version of SUPPORTED) {
      if (!satisfies(version, range)) refused.push(`${location.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${range}, refuses ${version}`);
    }
  }
  expect(checked).toBeGreaterThan(100);
  expect(refused).toEqual([]);
});
