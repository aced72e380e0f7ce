/**
 * arch-guard: the mutating admission webhook that keeps each pod on the architectures its images cover.
 * `npm run arch-guard -- --help` explains the options; lib/arch-guard holds the logic. Its container runs this
 * file bundled: node /app/arch-guard.js --port 8443 --tls-cert /tls/tls.crt --tls-key /tls/tls.key --arch arm64,amd64
 */
import { runArchGuard } from '../lib/arch-guard/cli';

const write = (stream: NodeJS.WriteStream) => (line: string) => stream.write(`${line}\n`);

// Last resort: a stray rejection or exception is logged as one JSON line; the server keeps serving.
process.on('unhandledRejection', (reason) => write(process.stdout)(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'unhandled rejection', error: String((reason as Error)?.message ?? reason) })));
process.on('uncaughtException', (error) => write(process.stdout)(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'uncaught exception', error: error.message })));

runArchGuard(process.argv.slice(2), { out: write(process.stdout), err: write(process.stderr) }).then(({ code, server }) => {
  if (!server) {
    process.exitCode = code;
    return;
  }
  // Kubernetes sends SIGTERM, then SIGKILL after the grace period: finish what is in flight, then exit.
  const stop = () => {
    server.close().then(() => process.exit(0), () => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
