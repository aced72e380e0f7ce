/**
 * check-image: proves that container images have a platform for every node architecture before deploy.
 * `npm run check-image -- --help` explains the options; lib/preflight holds the logic.
 */
import { pretendTodayNotice } from '../lib/config/kubernetes-versions';
import { runCheckImage } from '../lib/preflight/run';

const notice = pretendTodayNotice();
if (notice) process.stderr.write(`${notice}\n`);

runCheckImage(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // runCheckImage handles its own failures; this only catches the unforeseen, still without a stack trace.
    process.stderr.write(`ERROR unexpected failure: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
