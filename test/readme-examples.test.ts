/**
 * Every `npx cdk synth` example of the README and docs/ does what the README shows: the commands of its code blocks run
 * as real processes (`$ command` followed by output: that output is the expected error), and each `-c` example
 * of the configuration table runs through the app's entry in-process. Examples are found by their shape, so
 * ones added later are checked too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { buildApp } from '../bin/app';
import { PROJECT_ROOT } from '../lib/config/cdk-json';
import { ConfigError } from '../lib/config/errors';
import { TEST_DAY, captureSynthReport, testContext } from './support/cdk';
import { readAllDocs } from './support/docs';
import { copyProject } from './support/project-copy';
import { withoutTestDayNotice } from './support/test-day';

// README.md and docs/*.md: an example is checked wherever it is written.
const readme = readAllDocs();

interface CommandExample {
  readonly command: string;
  /** The output the README prints under a `$ command`; undefined when it shows none (success). */
  readonly output?: string;
}

/** `npx cdk synth` commands of the fenced code blocks, with backslash continuations joined. */
function commandExamples(): CommandExample[] {
  const examples: CommandExample[] = [];
  for (const [, body] of readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)) {
    const lines = body.replace(/\\\n\s*/g, '').split('\n');
    lines.forEach((line, i) => {
      const prompt = line.startsWith('$ ');
      const command = (prompt ? line.slice(2) : line).replace(/\s+#.*$/, '').trim();
      if (!/^npx cdk synth\b/.test(command)) return;
      const output: string[] = [];
      for (const next of lines.slice(i + 1)) {
        if (!prompt || next.startsWith('$ ') || next.trim() === '') break;
        output.push(next);
      }
      const example = { command, output: output.length > 0 ? output.join('\n') : undefined };
      // The same example quoted in two files runs once.
      if (!examples.some((e) => e.command === example.command && e.output === example.output)) examples.push(example);
    });
  }
  return examples;
}

interface TableExample {
  readonly key: string;
  readonly example: string;
  /** The context the example sets: `-c` values are strings, as the CDK CLI passes them; cdk.json values are JSON. */
  readonly context: Record<string, unknown>;
  readonly needsAws: boolean;
}

/** The configuration table's examples written as `-c key=value ...` or as a cdk.json `"key": value`. */
function tableExamples(): TableExample[] {
  const examples: TableExample[] = [];
  for (const [, key, example, meaning] of readme.matchAll(/^\| `(\w+)` \| [^|]+ \| `([^`]+)` \| (.+) \|$/gm)) {
    let context: Record<string, unknown> | undefined;
    if (example.startsWith('-c ')) {
      context = Object.fromEntries([...example.matchAll(/-c (\w+)=(\S+)/g)].map(([, k, v]) => [k, v]));
    } else if (example.startsWith('"')) {
      context = JSON.parse(`{${example}}`) as Record<string, unknown>;
    }
    if (context) examples.push({ key, example, context, needsAws: /needs AWS credentials/.test(meaning) });
  }
  return examples;
}

const outdirs: string[] = [];
// The examples run in a copy of the project with the tests' cdk.json: the repository's cdk.json is the user's.
const project = copyProject();
afterAll(() => {
  outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  project.remove();
});

describe('README code blocks: npx cdk synth as written', () => {
  const examples = commandExamples();

  test('the README has such examples (a success and a quoted error at least)', () => {
    expect(examples.filter((e) => e.output === undefined).length).toBeGreaterThanOrEqual(1);
    expect(examples.filter((e) => e.output !== undefined).length).toBeGreaterThanOrEqual(1);
  });

  test.each(examples.map((e) => [e.command.length > 90 ? `${e.command.slice(0, 87)}...` : e.command, e] as const))('%s', (_label, example) => {
    if (example.output === undefined) {
      // A success: through the app's entry in-process (the process and CLI add ~3 s and nothing to check).
      const app = new App({ context: { ...testContext(), ...contextOf(example.command) }, autoSynth: false });
      const { value: assembly } = captureSynthReport(() => buildApp(app, {}, { clock: () => TEST_DAY }).app.synth());
      expect(assembly.stacks.map((s) => s.stackName)).toEqual(['MixedArchEks']);
      return;
    }
    // A quoted error: as typed, in bash, from the project folder, so the output is compared as users see it.
    const outdir = mkdtempSync(join(tmpdir(), 'readme-synth-'));
    outdirs.push(outdir);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(PROJECT_ROOT, 'node_modules', '.bin')}:${process.env.PATH}` };
    delete env.PRINT_PLATFORM_INFO_IMAGE;
    const result = spawnSync('bash', ['-c', `${example.command} --output ${outdir}`], { cwd: project.dir, env, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).not.toBe(0);
    // What the README quotes is what the app prints; the CDK CLI then adds its own "Subprocess exited" line.
    const [ours, cli] = withoutTestDayNotice(result.stderr).split(/\n(?=.*Subprocess exited with error)/);
    expect(ours).toBe(example.output);
    expect(cli).toMatch(/Subprocess exited with error 1\n$/);
    expect(readdirSync(outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });
});

/** The words of a command line as bash splits them: '...' literal, "..." with backslash escapes, \x. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; command[i] !== '"'; i++) word += command[i] === '\\' ? command[++i] : command[i];
    } else {
      word = (word ?? '') + (c === '\\' ? command[++i] : c);
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The `-c key=value` pairs of a command line: strings, as the CDK CLI hands them to the app. */
function contextOf(command: string): Record<string, string> {
  const words = shellWords(command);
  const context: Record<string, string> = {};
  words.forEach((word, i) => {
    if ((word === '-c' || word === '--context') && words[i + 1]?.includes('=')) {
      const [key, ...value] = words[i + 1].split('=');
      context[key] = value.join('=');
    }
  });
  return context;
}

test('the command lines are split as bash splits them', () => {
  expect(contextOf(`npx cdk synth -c a=1 -c b='[{"x":"y z"}]' --context c="q\\"r" -c d=e\\ f`)).toEqual({ a: '1', b: '[{"x":"y z"}]', c: 'q"r', d: 'e f' });
});

describe('README configuration table: each example synthesizes (npx cdk synth <example>)', () => {
  const examples = tableExamples();

  test('the table has such examples, kubernetesVersion among them', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
    expect(examples.map((e) => e.key)).toContain('kubernetesVersion');
  });

  test.each(examples.map((e) => [e.key, e] as const))('%s', (_key, example) => {
    const app = new App({ context: { ...testContext(), ...example.context }, autoSynth: false });
    // bin/mixed-arch-eks.ts without the process: the configuration, the stack, cdk-nag, the synth.
    const synth = () => captureSynthReport(() => buildApp(app, {}, { clock: () => TEST_DAY }).app.synth());
    if (example.needsAws) {
      // The README says so: without an account the lookup is refused, before anything is built.
      expect(synth).toThrow(ConfigError);
      expect(synth).toThrow(/needs a lookup in your AWS account, and no account or region is known/);
      return;
    }
    const { value: assembly, warnings } = synth();
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['MixedArchEks']);
    // Warnings are fine (acknowledgeable annotations); an error in the report would have thrown.
    expect(warnings.every((w) => w.startsWith('Annotation::'))).toBe(true);
  });
});

test('the acknowledgement the README shows silences that warning, and only it', () => {
  const snippet = /`(Validations\.of\(stack\)\.acknowledge\(\{ id: '([^']+)', reason: '\.\.\.' \}\))`/.exec(readme);
  expect(snippet?.[2]).toBe('Annotation::mixed-arch-eks:open-endpoint');
  const build = (acknowledge: boolean) => {
    const app = new App({ context: testContext(), autoSynth: false });
    const { stack } = buildApp(app, {}, { nag: false, clock: () => TEST_DAY });
    if (acknowledge) Validations.of(stack).acknowledge({ id: snippet?.[2] as string, reason: 'the endpoint is open on purpose in this test' });
    return captureSynthReport(() => app.synth()).warnings;
  };
  const before = build(false);
  expect(before).toContain('Annotation::mixed-arch-eks:open-endpoint');
  expect(build(true)).toEqual(before.filter((w) => w !== 'Annotation::mixed-arch-eks:open-endpoint'));
});
