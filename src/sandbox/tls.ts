// A throwaway self-signed certificate for the sandbox's Kubernetes API, made with openssl at start (kubectl sends tokens over HTTPS only).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SelfSigned {
  /** PEM */
  key: string;
  /** PEM; also the certificate authority a client trusts */
  cert: string;
}

/**
 * An EC P-256 key and a one-day certificate for 127.0.0.1 and localhost. Node's crypto signs but cannot write an X.509
 * certificate, and a new native dependency is not worth one sandbox feature, so this runs the openssl command; it
 * rejects when openssl is missing, and the caller falls back to plain HTTP.
 */
export async function selfSignedCertificate(commonName = 'flightdeck-sandbox'): Promise<SelfSigned> {
  const dir = await mkdtemp(join(tmpdir(), 'flightdeck-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', `/CN=${commonName}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { timeout: 10_000 });
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
