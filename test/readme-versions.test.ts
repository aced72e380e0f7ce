import {
  EKS_KUBERNETES_VERSIONS,
  LAST_AL2_KUBERNETES_VERSION,
  newestStandardSupportVersion,
  supportPhase,
} from '../lib/config/kubernetes-versions';
import { readDoc } from './support/docs';

// The version table of docs/upgrades.md is documentation of lib/config/kubernetes-versions.ts: this test regenerates it
// from the code, at the date its heading names, and fails on any difference.
const readme = readDoc('docs/upgrades.md');
const table = /<!-- kubernetes-versions:begin -->\n([\s\S]*?)\n<!-- kubernetes-versions:end -->/.exec(readme)?.[1] ?? '';

test('the README has the version table, with the date its phases are computed for', () => {
  expect(table).toMatch(/^\| Kubernetes \| EKS release \| end of standard support \| end of extended support \| phase on 2026-11-28 \| AL2 AMIs \| default for \|/);
});

test('the README version table is the one the code gives on that date', () => {
  const asOf = /phase on (\d{4}-\d{2}-\d{2})/.exec(table)?.[1] as string;
  const date = new Date(`${asOf}T12:00:00Z`);
  const newest = newestStandardSupportVersion(date);
  const rows = EKS_KUBERNETES_VERSIONS.map((v) => {
    const defaults = [v.version === LAST_AL2_KUBERNETES_VERSION ? 'AL2' : '', v.version === newest ? 'AL2023, BOTTLEROCKET' : ''].filter(Boolean).join(', ');
    return `| ${v.version} | ${v.eksRelease} | ${v.endOfStandardSupport} | ${v.endOfExtendedSupport} | ${supportPhase(v, date)} | ${v.al2Amis ? 'yes' : 'no'} | ${defaults} |`;
  });
  const expected = [
    `| Kubernetes | EKS release | end of standard support | end of extended support | phase on ${asOf} | AL2 AMIs | default for |`,
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  expect(table).toBe(expected);
});

test('on 2026-11-28 the README shows 1.36 as the AL2023 and Bottlerocket default and 1.32 in extended support', () => {
  expect(table).toContain('| 1.36 | 2026-06-02 | 2027-08-02 | 2028-08-02 | standard | no | AL2023, BOTTLEROCKET |');
  expect(table).toContain('| 1.32 | 2025-01-23 | 2026-03-23 | 2027-03-23 | extended | yes | AL2 |');
});
