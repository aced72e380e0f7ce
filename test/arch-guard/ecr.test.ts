/**
 * ECR tokens: the real @aws-sdk/client-ecr client, pointed at a scripted loopback endpoint that speaks ECR's
 * JSON protocol (AWS cannot be reached offline); what arch-guard asks, what it keeps, and for whom.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ECR_CLIENT_LIMITS, EcrTokens, boundedEcrClient, ecrRegion } from '../../lib/arch-guard/ecr';
import { SecretScrubber } from '../../lib/preflight/redact';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const PASSWORD = 'eyJwYXlsb2FkIjoiZWNyLXRva2VuLWZvci10ZXN0cyJ9';
const EXPIRES = Date.UTC(2026, 0, 15, 12, 0, 0);

let endpoint: Server;
let url: string;
const calls: { target: string; body: unknown; authorization: string }[] = [];
let answer: { status: number; body: unknown } = {
  status: 200,
  body: { authorizationData: [{ authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'), expiresAt: EXPIRES / 1000, proxyEndpoint: `https://${HOST}` }] },
};

beforeAll(async () => {
  endpoint = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')), authorization: String(req.headers.authorization) });
      res.writeHead(answer.status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});

afterAll(async () => {
  endpoint.closeAllConnections();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
});

function tokens(now: () => number) {
  const regions: string[] = [];
  const scrubber = new SecretScrubber();
  const ecr = new EcrTokens({
    scrubber,
    now,
    clientFor: (region) => {
      regions.push(region);
      // Static test keys: the default chain (Pod Identity in the cluster) is what the server uses.
      return boundedEcrClient(region, { endpoint: url, credentials: { accessKeyId: 'AKIDTESTONLY', secretAccessKey: 'test-secret-key' } });
    },
  });
  return { ecr, regions, scrubber };
}

beforeEach(() => {
  calls.length = 0;
});

test('the region comes from the registry host', () => {
  expect(ecrRegion(HOST)).toBe('eu-west-1');
  expect(ecrRegion('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')).toBe('us-gov-west-1');
  expect(ecrRegion('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toBe('cn-north-1');
});

test('GetAuthorizationToken for the account of the host, signed, in the host\'s region; the token is for that host only', async () => {
  const { ecr, regions, scrubber } = tokens(() => EXPIRES - 6 * 3_600_000);
  await ecr.prepare(HOST);
  expect(regions).toEqual(['eu-west-1']);
  expect(calls).toEqual([{
    target: 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
    body: { registryIds: ['123456789012'] },
    authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDTESTONLY\/\d{8}\/eu-west-1\/ecr\/aws4_request, /),
  }]);
  expect(ecr.credentials(HOST)).toEqual({ username: 'AWS', password: PASSWORD, source: 'ECR GetAuthorizationToken' });
  // Another account's registry, another region's, and every other registry get nothing.
  expect(ecr.credentials('210987654321.dkr.ecr.eu-west-1.amazonaws.com')).toBeUndefined();
  expect(ecr.credentials('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toBeUndefined();
  expect(ecr.credentials('docker.io')).toBeUndefined();
  expect(scrubber.scrub(`token ${PASSWORD} basic ${Buffer.from(`AWS:${PASSWORD}`).toString('base64')}`)).toBe('token *** basic ***');
});

test('a token is kept until 15 minutes before it expires, then fetched again; concurrent asks share one call', async () => {
  let now = EXPIRES - 6 * 3_600_000;
  const { ecr } = tokens(() => now);
  await Promise.all([ecr.prepare(HOST), ecr.prepare(HOST), ecr.prepare(HOST)]);
  expect(calls).toHaveLength(1);
  now = EXPIRES - 16 * 60_000;
  await ecr.prepare(HOST);
  expect(calls).toHaveLength(1);
  now = EXPIRES - 14 * 60_000;
  await ecr.prepare(HOST);
  expect(calls).toHaveLength(2);
  // Past its expiry a token is never handed out, even if no new one could be had.
  now = EXPIRES + 1;
  expect(ecr.credentials(HOST)).toBeUndefined();
});

test('registries that are not ECR are never asked about', async () => {
  const { ecr, regions } = tokens(() => 0);
  await ecr.prepare('docker.io');
  await ecr.prepare('public.ecr.aws');
  await ecr.prepare('registry.gitlab.com');
  expect(regions).toEqual([]);
  expect(calls).toEqual([]);
});

test('ECR refusing the call is one error naming the host and the fix, without a secret', async () => {
  answer = { status: 400, body: { __type: 'AccessDeniedException', message: 'User is not authorized to perform: ecr:GetAuthorizationToken' } };
  try {
    const { ecr } = tokens(() => 0);
    await expect(ecr.prepare(HOST)).rejects.toThrow(
      `cannot get an ECR token for ${HOST} (AccessDeniedException: User is not authorized to perform: ecr:GetAuthorizationToken). Give the service account ecr:GetAuthorizationToken through its Pod Identity association`,
    );
  } finally {
    answer = { status: 200, body: { authorizationData: [] } };
  }
  const { ecr } = tokens(() => 0);
  await expect(ecr.prepare(HOST)).rejects.toThrow(`ECR answered GetAuthorizationToken for ${HOST} without a token. Retry; if it persists, check the ECR service health`);
});

test('an ECR endpoint that accepts and never answers fails within the client\'s limits (2 attempts of 2 s), not the SDK\'s minutes', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const client = boundedEcrClient('eu-west-1', {
      endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'AKIDTESTONLY', secretAccessKey: 'test-secret-key' },
    });
    const started = Date.now();
    await expect(client.send(new GetAuthorizationTokenCommand({}))).rejects.toThrow();
    const ms = Date.now() - started;
    expect(ms).toBeGreaterThanOrEqual(ECR_CLIENT_LIMITS.requestTimeoutMs);
    expect(ms).toBeLessThan(ECR_CLIENT_LIMITS.maxAttempts * ECR_CLIENT_LIMITS.requestTimeoutMs + 2000);
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
