/**
 * cosign, built from its pinned module (`tools/release/modules/cosign/go.mod`), signs the OCI artifact of a
 * released chart with a key pair from the environment, offline: no transparency log, no Fulcio, no TUF.
 * `MEETSCALE_COSIGN_KEY` holds the PEM of the encrypted private key (`cosign generate-key-pair`),
 * `MEETSCALE_COSIGN_PASSWORD` its password.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureGoTool, type EnsureGoToolOptions, type GoTool } from '@meetscale/go-tools';

export const COSIGN_KEY_ENV = 'MEETSCALE_COSIGN_KEY';
export const COSIGN_PASSWORD_ENV = 'MEETSCALE_COSIGN_PASSWORD';

export const COSIGN_TOOL: GoTool = {
  name: 'cosign',
  moduleDir: 'tools/release/modules/cosign',
  packagePath: 'github.com/sigstore/cosign/v3/cmd/cosign',
  buildEnv: { CGO_ENABLED: '0' },
};

/** Returns the cosign binary, building it first when missing (minutes on a small machine). */
export function ensureCosign(options: EnsureGoToolOptions = {}): string {
  return ensureGoTool(COSIGN_TOOL, options);
}

/** Where and how cosign reaches the registry. */
export interface CosignRegistry {
  readonly username?: string;
  readonly password?: string;
  /** Plain HTTP (loopback registries only). */
  readonly plainHttp: boolean;
}

/** The outcome of a cosign run. */
export interface CosignResult {
  readonly status: number;
  /** Standard output alone. */
  readonly stdout: string;
  /** Standard output and error. */
  readonly output: string;
}

function registryArgs(registry: CosignRegistry): string[] {
  return [
    ...(registry.plainHttp ? ['--allow-insecure-registry', '--allow-http-registry'] : []),
    ...(registry.username !== undefined ? ['--registry-username', registry.username] : []),
    ...(registry.password !== undefined ? ['--registry-password', registry.password] : []),
  ];
}

function runCosign(args: readonly string[], env: NodeJS.ProcessEnv): CosignResult {
  const result = spawnSync(ensureCosign(), args, {
    encoding: 'utf8',
    timeout: 120_000,
    // cosign's own folders (TUF cache, docker config) stay in a private temp folder
    env: {
      PATH: process.env.PATH,
      HOME: env.HOME,
      COSIGN_PASSWORD: env.COSIGN_PASSWORD ?? '',
      TUF_ROOT: join(env.HOME ?? tmpdir(), 'tuf'),
    },
  });
  const stdout = result.stdout ?? '';
  return { status: result.status ?? 1, stdout, output: `${stdout}${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

function withHome<T>(action: (home: string) => T): T {
  const home = mkdtempSync(join(tmpdir(), 'meetscale-cosign-'));
  try {
    return action(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Signs `<registry>/<repository>@<digest>` with the private key PEM and password, pushing the signature beside it.
 * @throws with cosign's output when signing fails
 */
export function cosignSign(reference: string, privateKey: string, password: string, registry: CosignRegistry): void {
  withHome((home) => {
    const keyFile = join(home, 'cosign.key');
    writeFileSync(keyFile, privateKey, { mode: 0o600 });
    const result = runCosign(
      ['sign', '--yes', '--key', keyFile, '--tlog-upload=false', '--use-signing-config=false', ...registryArgs(registry), reference],
      { HOME: home, COSIGN_PASSWORD: password },
    );
    if (result.status !== 0) throw new Error(`cosign could not sign ${reference}: ${result.output.trim()}`);
  });
}

/** Verifies the cosign signature of `reference` against a public key PEM; returns cosign's outcome. */
export function cosignVerify(reference: string, publicKey: string, registry: CosignRegistry): CosignResult {
  return withHome((home) => {
    const keyFile = join(home, 'cosign.pub');
    writeFileSync(keyFile, publicKey);
    return runCosign(['verify', '--key', keyFile, '--insecure-ignore-tlog=true', ...registryArgs(registry), reference], { HOME: home });
  });
}

/** Creates a cosign key pair (for tests and local trials); returns the PEMs. */
export function cosignKeyPair(password: string): { privateKey: string; publicKey: string } {
  return withHome((home) => {
    const result = spawnSync(ensureCosign(), ['generate-key-pair'], {
      cwd: home,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: home, COSIGN_PASSWORD: password },
    });
    if (result.status !== 0) throw new Error(`cosign generate-key-pair failed: ${result.stderr}`);
    return { privateKey: readFileSync(join(home, 'cosign.key'), 'utf8'), publicKey: readFileSync(join(home, 'cosign.pub'), 'utf8') };
  });
}

/** The public key PEM of an encrypted cosign private key. */
export function cosignPublicKey(privateKey: string, password: string): string {
  return withHome((home) => {
    const keyFile = join(home, 'cosign.key');
    writeFileSync(keyFile, privateKey, { mode: 0o600 });
    const result = runCosign(['public-key', '--key', keyFile], { HOME: home, COSIGN_PASSWORD: password });
    if (result.status !== 0) throw new Error(`cosign could not read the key in ${COSIGN_KEY_ENV}: ${result.output.trim()}`);
    return result.stdout.slice(result.stdout.indexOf('-----BEGIN PUBLIC KEY-----'));
  });
}
