import { DEFAULT_TIMEOUT_SECONDS, parseCheckImageArgs } from '../../lib/preflight/args';
import { UsageError } from '../../lib/preflight/errors';
import { runCheckImage } from '../../lib/preflight/run';
import { TEST_CDK_JSON } from '../support/cdk';
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

  test('usage errors in full: the problem, then the fix', () => {
    const messageOf = (argv: string[]) => {
      try {
        parseCheckImageArgs(argv);
      } catch (error) {
        expect((error as Error).name).toBe('UsageError');
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(messageOf(['--arch', ' , ', 'a'])).toBe('--arch is empty. Give a comma-separated list, such as --arch arm64,amd64');
    expect(messageOf(['--bogus', 'a'])).toBe("Unknown option '--bogus'. Run with --help for the options");
    for (const pair of ['novalue', '=x']) expect(messageOf(['-c', pair, 'a'])).toBe(`-c "${pair}" is not key=value. Write it like -c autoscaler=karpenter`);
    for (const value of ['1.', '.5', '1e3', 'x1', '1x', '1.5.2']) {
      expect(messageOf(['--timeout', value, 'a'])).toBe(`--timeout "${value}" is not a positive number of seconds. Write it like --timeout 15`);
    }
    expect(['2', ' 2 ', '0.25', '10.5'].map((value) => parseCheckImageArgs(['--timeout', value, 'a']).timeoutSeconds)).toEqual([2, 2, 0.25, 10.5]);
    expect(parseCheckImageArgs(['-c', 'k=', 'a']).context).toEqual({ k: '' });
    // node's parseArgs writes some messages over several lines: still one line here.
    expect(messageOf(['--timeout', '-1', 'a'])).toBe("Option '--timeout' argument is ambiguous. Run with --help for the options");
    expect(messageOf(['--timeout=-1', 'a'])).toBe('--timeout "-1" is not a positive number of seconds. Write it like --timeout 15');
  });

  test('a bad configuration is exit 2 with the configuration message; --arch skips the configuration', async () => {
    const out = captureOutput();
    expect(await runCheckImage(['busybox:1'], out, { PRINT_PLATFORM_INFO_IMAGE: 'Not A Ref' }, TEST_CDK_JSON)).toBe(2);
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
