import { ARCHITECTURE_INFO } from '../config/architectures';
import { formatImageReference } from '../config/image-reference';
import { ArchNeed, CoverageResult } from './coverage';
import { MANIFEST_KIND_NAMES } from './media-types';
import { IgnoredReason, ImageInspection, formatPlatform } from './platforms';

const IGNORED_NOTES: Readonly<Record<IgnoredReason, string>> = {
  attestation: 'attestation (ignored)',
  'unknown-platform': 'unknown platform (ignored)',
  'no-platform': 'no platform given (ignored)',
  'not-linux': 'not Linux (ignored)',
  variant: 'nodes pull the baseline variant (ignored)',
};

/** `610 B`, `2.4 KiB`, `31.5 MiB`: sizes as people read them. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < units.length - 1);
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `sha256:` and the first 12 hex digits: enough to tell entries apart in a table. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function renderColumns(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => `${indent}${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd());
}

/**
 * The platforms of an image as a table, under a header naming the reference, the manifest kind and its digest
 * (what `docker manifest inspect` shows, without the JSON).
 */
export function renderInspection(inspection: ImageInspection): string[] {
  const header = `${formatImageReference(inspection.reference)}  (${MANIFEST_KIND_NAMES[inspection.kind]}, ${inspection.digest})`;
  const rows = [
    ['PLATFORM', 'DIGEST', 'SIZE', ''],
    ...inspection.entries.map((e) => [formatPlatform(e.platform), shortDigest(e.digest), formatSize(e.size), e.ignored ? IGNORED_NOTES[e.ignored] : '']),
  ];
  return [header, ...renderColumns(rows, '  ')];
}

/**
 * The verdict lines for one image: `OK: covers ...` when nothing is missing, else one `MISSING` line per
 * architecture naming who needs it, and the fix.
 */
export function renderCoverage(result: CoverageResult): string[] {
  const who = (need: ArchNeed) => need.neededBy.join(', ');
  if (result.missing.length === 0 && result.covered.length === 0) {
    return ['OK: no architecture to require; nothing that uses it can run on a node (see the warnings)'];
  }
  if (result.missing.length === 0) {
    return [`OK: covers ${result.covered.map((n) => `${n.arch} (${who(n)})`).join(', ')}`];
  }
  const has = result.offered.length > 0 ? `the image has ${result.offered.map((a) => ARCHITECTURE_INFO[a].ociPlatform).join(', ')} only` : 'the image has no linux/arm64 or linux/amd64 platform';
  const lines = result.missing.map((n) => `MISSING ${n.arch}: needed by ${who(n)}; ${has}`);
  const platforms = [...new Set([...result.offered, ...result.missing.map((n) => n.arch), ...result.covered.map((n) => n.arch)])];
  lines.push(`  Fix: build and push every platform, e.g. docker buildx build --platform ${platforms.map((a) => ARCHITECTURE_INFO[a].ociPlatform).join(',')} --push ...`);
  return lines;
}
