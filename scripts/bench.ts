/**
 * `npm run bench`: times every way of synthesizing this project as a whole process, on this machine, in one
 * run: median of BENCH_RUNS runs (default 5) after one warm-up, wall time and peak memory (GNU time), the
 * cases interleaved round by round.
 * Prints the ratios the project targets and writes every figure to bench-results/bench.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, loadCdkJsonContext } from '../lib/config/cdk-json';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GNU_TIME = '/usr/bin/time';
const out = mkdtempSync(join(tmpdir(), 'bench-'));
const floorDir = join(PROJECT_ROOT, 'build', 'bench');

interface Case {
  readonly key: string;
  readonly label: string;
  readonly command: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

interface Result {
  readonly key: string;
  readonly label: string;
  readonly command: string;
  readonly runs: number;
  readonly wallSeconds: readonly number[];
  readonly medianSeconds: number;
  readonly peakMemoryMiB: number | null;
}

// What the CDK CLI hands the app: the output folder and the context (cdk.json, here without -c overrides).
const appEnv = (outdir: string): NodeJS.ProcessEnv => ({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(loadCdkJsonContext()) });
const noValidation = { CDK_VALIDATION: 'false' };

// Case 3 runs the app command exactly as cdk.json has it; the floor runs the same node flags on compiled JavaScript.
const appCommand = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { app: string }).app.split(/\s+/);
const entry = appCommand.findIndex((arg) => arg.endsWith('.ts'));
const floorCommand = [
  // Drop the TypeScript runner (`--require esbuild-register`): the floor needs none.
  ...appCommand.slice(0, entry).filter((arg, i, all) => arg !== 'esbuild-register' && !(arg === '--require' && all[i + 1] === 'esbuild-register')),
  join(floorDir, appCommand[entry].replace(/\.ts$/, '.js')),
];

const cases: Case[] = [
  { key: 'cdkSynth', label: '1. npx cdk synth', command: ['npx', 'cdk', 'synth', '--quiet', '-o', join(out, 'c1')] },
  { key: 'cdkSynthNoValidation', label: '1b. npx cdk synth, CDK_VALIDATION=false', command: ['npx', 'cdk', 'synth', '--quiet', '-o', join(out, 'c1b')], env: noValidation },
  { key: 'cdkSynthTsNode', label: '2. npx cdk synth through ts-node', command: ['npx', 'cdk', 'synth', '--quiet', '-o', join(out, 'c2'), '--app', 'npx ts-node --prefer-ts-exts bin/mixed-arch-eks.ts'] },
  { key: 'appCommand', label: '3. app command of cdk.json (esbuild-register)', command: appCommand, env: appEnv(join(out, 'c3')) },
  { key: 'appCommandNoValidation', label: '3b. app command, CDK_VALIDATION=false', command: appCommand, env: { ...appEnv(join(out, 'c3b')), ...noValidation } },
  { key: 'floor', label: '4. floor: same node flags, compiled JavaScript', command: floorCommand, env: appEnv(join(out, 'c4')) },
  { key: 'floorNoValidation', label: '4b. floor, CDK_VALIDATION=false', command: floorCommand, env: { ...appEnv(join(out, 'c4b')), ...noValidation } },
  { key: 'appCommandDefaultV8', label: '3c. app command without --liftoff-only', command: appCommand.filter((arg) => arg !== '--liftoff-only'), env: appEnv(join(out, 'c3c')) },
  { key: 'cdk8sSynth', label: '5. npx cdk8s synth', command: ['npx', 'cdk8s', 'synth', '--output', join(out, 'c5')], env: { CDK8S_CHECK_UPGRADE: 'false' } },
  { key: 'npmTest', label: '6. npm test', command: ['npm', 'test', '--silent'] },
];

function runOnce(c: Case): Sample {
  const useTime = existsSync(GNU_TIME);
  const argv = useTime ? [GNU_TIME, '-f', '__BENCH__ %e %M', ...c.command] : [...c.command];
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: PROJECT_ROOT, env: { ...process.env, ...c.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${c.label} failed (exit ${result.status}):\n${(result.stderr ?? '').slice(-2000)}`);
  }
  const match = /__BENCH__ ([\d.]+) (\d+)/.exec(result.stderr ?? '');
  return { seconds, memoryMiB: match ? Math.round(Number(match[2]) / 1024) : null };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Sample {
  readonly seconds: number;
  readonly memoryMiB: number | null;
}

function summarize(c: Case, samples: readonly Sample[]): Result {
  const memories = samples.map((s) => s.memoryMiB).filter((m): m is number => m !== null);
  return {
    key: c.key, label: c.label, command: c.command.join(' '), runs: samples.length,
    wallSeconds: samples.map((s) => round(s.seconds)),
    medianSeconds: round(median(samples.map((s) => s.seconds))),
    peakMemoryMiB: memories.length ? Math.max(...memories) : null,
  };
}

/**
 * One warm-up of every case, then RUNS rounds that run every case once each: interleaved, so a slow spell of
 * the machine hits all cases alike instead of skewing the ratio between two of them.
 */
function measureAll(all: readonly Case[]): Record<string, Result> {
  const samples = new Map<string, Sample[]>(all.map((c) => [c.key, []]));
  process.stderr.write('warm-up:');
  for (const c of all) {
    runOnce(c);
    process.stderr.write(` ${c.key}`);
  }
  process.stderr.write('\n');
  for (let round = 1; round <= RUNS; round++) {
    process.stderr.write(`round ${round}/${RUNS}:`);
    for (const c of all) {
      const sample = runOnce(c);
      samples.get(c.key)?.push(sample);
      process.stderr.write(` ${c.key} ${sample.seconds.toFixed(2)}s`);
    }
    process.stderr.write('\n');
  }
  return Object.fromEntries(all.map((c) => [c.key, summarize(c, samples.get(c.key) ?? [])]));
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function main(): void {
  process.stderr.write(`Compiling the app ahead to ${floorDir} for the floor measurement\n`);
  rmSync(floorDir, { recursive: true, force: true });
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit', 'false', '--outDir', floorDir], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);

  const results = measureAll(cases);
  const m = (key: string) => results[key].medianSeconds;
  const ratios = {
    appCommandOverFloor: { value: round(m('appCommand') / m('floor')), target: '<= 1.3', pass: m('appCommand') / m('floor') <= 1.3 },
    tsNodeOverCdkSynth: { value: round(m('cdkSynthTsNode') / m('cdkSynth')), target: '>= 3', pass: m('cdkSynthTsNode') / m('cdkSynth') >= 3 },
    npmTestOverCdkSynth: { value: round(m('npmTest') / m('cdkSynth')), target: '<= 6', pass: m('npmTest') / m('cdkSynth') <= 6 },
  };

  console.log(`\nmixed-arch-eks bench: ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}, median of ${RUNS} interleaved runs after a warm-up\n`);
  console.log(`${'case'.padEnd(48)}${'median s'.padStart(10)}${'peak MiB'.padStart(10)}   runs (s)`);
  for (const r of Object.values(results)) {
    console.log(`${r.label.padEnd(48)}${r.medianSeconds.toFixed(2).padStart(10)}${String(r.peakMemoryMiB ?? 'n/a').padStart(10)}   ${r.wallSeconds.map((s) => s.toFixed(2)).join(' ')}`);
  }
  console.log('');
  console.log(`3/4 app command / floor        ${ratios.appCommandOverFloor.value.toFixed(2)}  target ${ratios.appCommandOverFloor.target}  ${ratios.appCommandOverFloor.pass ? 'PASS' : 'FAIL'}`);
  console.log(`2/1 ts-node / npx cdk synth    ${ratios.tsNodeOverCdkSynth.value.toFixed(2)}  target ${ratios.tsNodeOverCdkSynth.target}  ${ratios.tsNodeOverCdkSynth.pass ? 'PASS' : 'FAIL'}`);
  console.log(`6/1 npm test / npx cdk synth   ${ratios.npmTestOverCdkSynth.value.toFixed(2)}  target ${ratios.npmTestOverCdkSynth.target}  ${ratios.npmTestOverCdkSynth.pass ? 'PASS' : 'FAIL'}`);
  console.log(`validation share of npx cdk synth: ${(m('cdkSynth') - m('cdkSynthNoValidation')).toFixed(2)} s of ${m('cdkSynth').toFixed(2)} s`);

  const dir = join(PROJECT_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'bench.json');
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, node: process.version, runs: RUNS, results, ratios }, null, 2)}\n`);
  console.log(`figures written to ${file}`);
  rmSync(out, { recursive: true, force: true });
  if (!Object.values(ratios).every((r) => r.pass)) process.exitCode = 1;
}

main();
