/**
 * An OCI registry as the release sees it, through Helm 4: log in with credentials kept in a private registry
 * config (never the user's), ask whether a chart version is there, push a packaged chart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type HelmMajor, runHelm } from '@meetscale/helm-binaries';
import { OCI_LOCATION_EXAMPLE, parseOciLocation } from '@meetscale/releases';

export const REGISTRY_ENV = 'MEETSCALE_CHART_REGISTRY';
export const REGISTRY_USERNAME_ENV = 'MEETSCALE_REGISTRY_USERNAME';
export const REGISTRY_PASSWORD_ENV = 'MEETSCALE_REGISTRY_PASSWORD';

/** A registry location, `oci://<host>[:port][/path]`, where charts are pushed as `<location>/<chart>:<version>`. */
export interface RegistryTarget {
  /** The location as given, without a trailing slash. */
  readonly url: string;
  /** `<host>[:port]`, what `helm registry login` takes. */
  readonly host: string;
  /** Talk plain HTTP (allowed for loopback registries only: credentials would cross the network in clear). */
  readonly plainHttp: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/**
 * Parses a registry location.
 * @throws naming what is wrong: not `oci://`, no host, a tag or digest in it, plain HTTP to a non-loopback host
 */
export function parseRegistry(url: string, plainHttp = false): RegistryTarget {
  const location = parseOciLocation(url.trim().replace(/\/$/, ''));
  if (location === undefined) {
    throw new Error(
      `registry "${url}" is not an OCI location: give oci://<host>[:port]/<path> (lower-case host and path segments, no tag), e.g. ${OCI_LOCATION_EXAMPLE}`,
    );
  }
  const { host, path } = location;
  if (plainHttp && !LOOPBACK.test(host)) {
    throw new Error(`plain HTTP is refused for ${host}: only a loopback registry may be reached without TLS`);
  }
  return { url: `oci://${host}${path}`, host, plainHttp };
}

/** Registry credentials. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** Credentials from `MEETSCALE_REGISTRY_USERNAME` and `MEETSCALE_REGISTRY_PASSWORD`, or none when both are unset. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): RegistryCredentials | undefined {
  const username = env[REGISTRY_USERNAME_ENV];
  const password = env[REGISTRY_PASSWORD_ENV];
  if ((username ?? '') === '' && (password ?? '') === '') return undefined;
  if ((username ?? '') === '' || (password ?? '') === '') {
    throw new Error(`set both ${REGISTRY_USERNAME_ENV} and ${REGISTRY_PASSWORD_ENV}, or neither`);
  }
  return { username: username as string, password: password as string };
}

/** A logged-in conversation with one registry; {@link dispose} forgets the credentials. */
export class RegistrySession {
  private readonly configDir = mkdtempSync(join(tmpdir(), 'meetscale-registry-'));

  constructor(
    readonly target: RegistryTarget,
    private readonly helm: HelmMajor = 4,
  ) {}

  private get registryConfig(): string {
    return join(this.configDir, 'config.json');
  }

  /** Helm arguments every registry command of this session takes. */
  helmArgs(): string[] {
    return ['--registry-config', this.registryConfig, ...(this.target.plainHttp ? ['--plain-http'] : [])];
  }

  /**
   * Logs in (when credentials are given).
   * @throws when the registry refuses the credentials or cannot be reached
   */
  login(credentials: RegistryCredentials | undefined): void {
    if (credentials === undefined) return;
    const result = runHelm(
      this.helm,
      ['registry', 'login', this.target.host, '--username', credentials.username, '--password-stdin', ...this.helmArgs()],
      { input: credentials.password },
    );
    if (result.status !== 0) {
      throw new Error(`registry ${this.target.host} refused the login of "${credentials.username}": ${result.stderr.trim()}`);
    }
  }

  /** `oci://…/<chart>` in this registry. */
  chartReference(chart: string): string {
    return `${this.target.url}/${chart}`;
  }

  /**
   * Whether the registry holds `<chart>:<version>`.
   * @throws when the registry answers anything but "found" or "not found" (e.g. refused credentials)
   */
  hasVersion(chart: string, version: string): boolean {
    const result = runHelm(this.helm, ['show', 'chart', this.chartReference(chart), '--version', version, ...this.helmArgs()]);
    if (result.status === 0) return true;
    if (/: not found\b|\bnot found$|name unknown|manifest unknown/im.test(result.stderr)) return false;
    throw new Error(`cannot tell whether ${this.chartReference(chart)}:${version} exists: ${result.stderr.trim()}`);
  }

  /**
   * Pushes a packaged chart (its `.prov` beside it goes along); returns the manifest digest the registry stored.
   * @throws with Helm's message when the push fails
   */
  push(archive: string): { manifestDigest: string } {
    const result = runHelm(this.helm, ['push', archive, this.target.url, ...this.helmArgs()], { timeoutMs: 180_000 });
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(`${result.stdout}\n${result.stderr}`)?.[1];
    if (result.status !== 0 || digest === undefined) {
      throw new Error(`helm push ${archive} to ${this.target.url} failed: ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return { manifestDigest: digest };
  }

  dispose(): void {
    rmSync(this.configDir, { recursive: true, force: true });
  }
}
