import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The common name of the aggregator's front-proxy client certificate, as kubeadm names it. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

/**
 * The front-proxy (request header) credentials of the API server's aggregator: a CA of its own, and the client
 * certificate it presents to extension API servers while naming the user it proxies for in `X-Remote-User`,
 * `X-Remote-Group` and `X-Remote-Extra-*` headers. The API server publishes the CA and the allowed name in the
 * `kube-system/extension-apiserver-authentication` ConfigMap, where extension API servers read them.
 */
export interface FrontProxyCredentials {
  /** PEM file of the CA that signed the client certificate (`--requestheader-client-ca-file`). */
  readonly caFile: string;
  /** PEM file of the client certificate, CN {@link FRONT_PROXY_CLIENT} (`--proxy-client-cert-file`). */
  readonly clientCertFile: string;
  /** PEM file of the client certificate's key (`--proxy-client-key-file`). */
  readonly clientKeyFile: string;
}

/**
 * Runs `openssl req` for a new P-256 key and its certificate (self-signed unless `-CA` is among `args`), valid a
 * year; `args` give the subject and extensions. The key file is made private.
 */
export function newCertificate(keyFile: string, certFile: string, args: readonly string[]): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '365',
      ...args,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  fs.chmodSync(keyFile, 0o600);
}

/** Generates the front-proxy CA and the aggregator's client certificate in `dir` (created when missing). */
export function writeFrontProxyCredentials(dir: string): FrontProxyCredentials {
  fs.mkdirSync(dir, { recursive: true });
  const caFile = path.join(dir, 'ca.crt');
  const caKey = path.join(dir, 'ca.key');
  const clientCertFile = path.join(dir, 'client.crt');
  const clientKeyFile = path.join(dir, 'client.key');
  newCertificate(caKey, caFile, [
    '-subj',
    '/CN=front-proxy-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  newCertificate(clientKeyFile, clientCertFile, [
    '-subj',
    `/CN=${FRONT_PROXY_CLIENT}`,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature',
    '-addext',
    'extendedKeyUsage=clientAuth',
  ]);
  return { caFile, clientCertFile, clientKeyFile };
}
