/**
 * A throwaway TLS certificate for loopback servers, made with the openssl CLI at test time (no key in the
 * repository): self-signed, P-256, valid for 127.0.0.1 and localhost, so a client that trusts it verifies it.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** The PEM certificate, for a client's `ca`. */
  readonly cert: string;
  /** SHA-256 fingerprint as Node's X509Certificate prints it (`AB:CD:...`). */
  readonly fingerprint256: string;
}

/** Writes a new key and certificate into `dir` (a fresh temporary folder by default). */
export function makeCertificate(dir = mkdtempSync(join(tmpdir(), 'tls-')), name = 'tls'): TestCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=arch-guard-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const cert = readFileSync(certFile, 'utf8');
  return { certFile, keyFile, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
}
