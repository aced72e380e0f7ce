/**
 * `npm run demo-registry [-- --port 5000]`: a registry on this machine with the two images of the preflight
 * demo (docs/preflight.md), so that `npm run check-image` can be tried without Docker, AWS or the internet:
 * arm64v8/busybox:1.37.0, arm64 only as on Docker Hub, and print-platform-info:0.1.0 pushed for amd64 only (with
 * a buildx attestation), the mistake the preflight exists for. Runs until Ctrl-C (or SIGTERM), then stops the
 * registry and deletes its storage.
 */
import { parseArgs } from 'node:util';
import { ImagePusher, TestRegistry, startRegistry } from '../test/support/registry';

/** The demo's images: repository, tag and the platforms pushed. */
export const DEMO_IMAGES = [
  { repository: 'arm64v8/busybox', tag: '1.37.0', platforms: ['linux/arm64/v8'], attestations: false },
  { repository: 'example-group/mixed-arch-eks/print-platform-info', tag: '0.1.0', platforms: ['linux/amd64'], attestations: true },
] as const;

async function main(): Promise<void> {
  let port: number;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { port: { type: 'string', default: '5000' } }, strict: true });
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${values.port} is not a port number (1-65535)`);
  } catch (error) {
    console.error(`${(error as Error).message.split('\n')[0]}. Usage: npm run demo-registry [-- --port <n>]`);
    process.exitCode = 2;
    return;
  }
  let registry: TestRegistry;
  try {
    registry = await startRegistry({ port });
  } catch (error) {
    console.error(`${(error as Error).message}. Is port ${port} in use? Try npm run demo-registry -- --port <another port>`);
    process.exitCode = 1;
    return;
  }
  // npm forwards the signal to this process and may send it again: stop once, and ignore the repeats.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void registry.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const push = new ImagePusher(registry);
  for (const image of DEMO_IMAGES) {
    await push.multiArch(image.repository, image.tag, image.platforms, { attestations: image.attestations });
    console.log(`pushed localhost:${port}/${image.repository}:${image.tag} (${image.platforms.join(', ')})`);
  }
  console.log(`ready: a registry on localhost:${port} (plain HTTP); Ctrl-C stops it and deletes its storage`);
}

void main();
