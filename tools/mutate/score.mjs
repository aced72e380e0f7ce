// `npm run mutate:score -- <report.json>...`: one mutation score over several Stryker reports (the JSON
// reporter's files or incremental files), per folder and in total, as the README states it. A whole-project
// run is hours on 2 cores, so it is run as several `npm run mutate -- --mutate <folder>` runs; a file in more
// than one report counts once, from the report named last.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateMetrics } from 'mutation-testing-metrics';

const reports = process.argv.slice(2);
if (reports.length === 0) {
  console.error('usage: npm run mutate:score -- <stryker report .json>...');
  process.exit(2);
}
const files = {};
for (const report of reports) Object.assign(files, JSON.parse(readFileSync(report, 'utf8')).files);

const folderOf = (file) => (file.startsWith('lib/') && file.split('/').length > 2 ? file.split('/').slice(0, 2).join('/') : dirname(file));
const groups = new Map();
for (const [name, file] of Object.entries(files)) {
  const folder = folderOf(name);
  groups.set(folder, { ...groups.get(folder), [name]: file });
}

const columns = ['folder', 'files', 'mutants', 'killed', 'timeout', 'survived', 'no coverage', 'errors', 'score'];
const row = (label, group) => {
  const m = calculateMetrics(group).metrics;
  return [label, Object.keys(group).length, m.totalMutants, m.killed, m.timeout, m.survived, m.noCoverage,
    m.runtimeErrors + m.compileErrors, `${m.mutationScore.toFixed(1)}%`];
};
const rows = [...groups.keys()].sort().map((folder) => row(`${folder}/`, groups.get(folder)));
rows.push(row('total', files));
console.log(`| ${columns.join(' | ')} |\n|${columns.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
