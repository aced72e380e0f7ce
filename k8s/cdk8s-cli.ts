import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The arguments after `synth` of the `cdk8s` process that started this app, or undefined when it cannot be found.
 * cdk8s-cli hands its app no arguments (only CDK8S_OUTDIR), so `npx cdk8s synth -c key=value` would drop the `-c`
 * silently; the app reads it from the cdk8s process instead: from /proc on Linux, else from `ps` (macOS).
 */
export function cdk8sSynthArgs(pid = process.ppid): string[] | undefined {
  // cdk8s -> sh -c "<app>" -> this process; npx may add levels above, which are not searched.
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    const found = commandOf(pid);
    if (!found) return undefined;
    const cli = found.argv.findIndex((arg) => /(^|[/\\])cdk8s(\.js)?$/.test(arg));
    const synth = found.argv.findIndex((arg, i) => i > cli && (arg === 'synth' || arg === 'synthesize'));
    if (cli >= 0 && synth > cli) return found.argv.slice(synth + 1);
    pid = found.parent;
  }
  return undefined;
}

function commandOf(pid: number): { argv: string[]; parent: number } | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name field may hold spaces and parentheses; the parent pid is the second field after its closing ')'.
    return { argv, parent: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) };
  } catch {
    // No /proc (macOS): ps prints the parent pid and the command line, split at spaces (enough to find -c k=v).
    const ps = spawnSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    const match = ps.status === 0 ? /^\s*(\d+)\s+(.*)$/.exec(ps.stdout.trim()) : null;
    return match ? { argv: match[2].split(/\s+/), parent: Number(match[1]) } : undefined;
  }
}
