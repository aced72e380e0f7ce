import { DEFAULT_TIMEOUT_SECONDS, parseCheckImageArgs } from '../../lib/preflight/args';
import { UsageError } from '../../lib/preflight/errors';
import { runCheckImage } from '../../lib/preflight/run';
import { captureOutput } from './helpers';

describe('check-image arguments', () => {
  test('defaults', () => {
    expect(parseCheckImageArgs(['busybox:1'])).toEqual({
      images: ['busybox:1'],
      manifests: [],
      arch: undefined,
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
      plainHttp: false,
      help: false,
      context: {},
    });
  });

  test('every option', () => {
    expect(parseCheckImageArgs(['--arch', 'arm64, amd64,arm64', '--timeout', '2.5', '--plain-http', '--manifests', 'dist', '--manifests=more', '-c', 'autoscaler=karpenter', '-c', 'x=a=b', 'a', 'b'])).toEqual({
      images: ['a', 'b'],
      manifests: ['dist', 'more'],
      arch: ['arm64', 'amd64'],
      timeoutSeconds: 2.5,
      plainHttp: true,
      help: false,
      context: { autoscaler: 'karpenter', x: 'a=b' },
    });
  });

  test.each([
    [[], 'nothing to check. Name one or more images'],
    [['--arch', 'x86_64', 'a'], '--arch: "x86_64" is not a node architecture. Write amd64'],
    [['--arch', 'riscv64', 'a'], '--arch: "riscv64" is not a node architecture. Use arm64 or amd64'],
    [['--arch', ',', 'a'], '--arch is empty'],
    [['--timeout', '0', 'a'], '--timeout "0" is not a positive number of seconds'],
    [['--timeout', 'soon', 'a'], '--timeout "soon" is not a positive number'],
    [['--bogus', 'a'], "Unknown option '--bogus'. Run with --help for the options"],
    [['--timeout'], "Option '--timeout <value>' argument missing"],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCheckImageArgs(argv)).toThrow(UsageError);
    expect(() => parseCheckImageArgs(argv)).toThrow(message);
  });

  test('a bad configuration is exit 2 with the configuration message; --arch skips the configuration', async () => {
    const out = captureOutput();
    expect(await runCheckImage(['busybox:1'], out, { PRINT_PLATFORM_INFO_IMAGE: 'Not A Ref' })).toBe(2);
    expect(out.stderr()).toMatch(/^ERROR Invalid configuration:\n {2}- PRINT_PLATFORM_INFO_IMAGE = "Not A Ref": malformed image reference/);
  });

  test('--help prints the usage and exits 0; bad usage exits 2 with one line', async () => {
    const help = captureOutput();
    expect(await runCheckImage(['--help'], help, {})).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: npm run check-image -- \[options\] <image-ref>/);
    // The ECR example names the registry its password is for: credentials go to REGISTRY_HOST only.
    expect(help.stdout()).toContain(
      'ECR: REGISTRY_HOST=<account>.dkr.ecr.<region>.amazonaws.com REGISTRY_USERNAME=AWS \\\n     REGISTRY_PASSWORD="$(aws ecr get-login-password --region <region>)" npm run check-image -- <image-ref>',
    );
    const bad = captureOutput();
    expect(await runCheckImage(['--arch', 'intel', 'x'], bad, {})).toBe(2);
    expect(bad.stderr()).toBe('ERROR --arch: "intel" is not a node architecture. Write amd64');
  });
});
