import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../lib/config/cdk-json';
import { documentationFiles, readDoc } from './support/docs';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks). */
function anchorsOf(text: string): Set<string> {
  const prose = text.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading)));
}

const links = documentationFiles().flatMap((file) => {
  const prose = readDoc(file).replace(/^```[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target)
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => ({ file, target }));
});

test('the README links to every docs/ file, and the docs link back', () => {
  const targets = links.filter((l) => l.file === 'README.md').map((l) => l.target.split('#')[0]);
  for (const doc of documentationFiles().slice(1)) {
    expect(targets).toContain(doc);
    expect(readDoc(doc)).toContain('[README](../README.md)');
  }
});

test.each(links.map((l) => [`${l.file} -> ${l.target}`, l] as const))('%s resolves', (_name, { file, target }) => {
  const [path, anchor] = target.split('#');
  const resolved = path === '' ? file : join(dirname(file), path);
  expect(existsSync(join(PROJECT_ROOT, resolved))).toBe(true);
  if (anchor) expect([...anchorsOf(readDoc(resolved))]).toContain(anchor);
});
