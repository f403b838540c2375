import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** How to reach the API server: its URL, its CA and a bearer token (read on each call: projected tokens rotate). */
export interface KubeAccess {
  readonly server: string;
  readonly ca: string;
  readonly token: () => string;
}

/** The service-account folder every pod has mounted (unless it opts out). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The API server as a pod sees it: `KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted service-account token and CA. */
export function inClusterAccess(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): KubeAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (host === undefined || host === '') throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST is not set');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${dir}/ca.crt`, 'utf8'),
    token: () => readFileSync(`${dir}/token`, 'utf8').trim(),
  };
}

/** Where a Lease is and who competes for it. */
export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  /** This instance's identity (its pod name). */
  readonly identity: string;
  /** Seconds the Lease holds without renewal. */
  readonly durationSeconds: number;
  /** The local clock (tests pass their own). */
  readonly now?: () => Date;
}

interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** A Kubernetes MicroTime: RFC 3339 with six fractional digits, as the API server parses it. */
const microTime = (at: Date): string => at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * Leader election on one Lease, as client-go's leader election does it: take the Lease when it is free or its
 * holder has not renewed it for `durationSeconds` (timed on the local clock from when this instance last saw the
 * Lease change, so that clocks need not agree), renew it while holding it, and lose it on any conflict. Writes are
 * optimistic (the Lease's `resourceVersion`): of two instances, at most one wins a round.
 */
export class LeaseElector {
  private observed: { version: string; at: number } | undefined;
  private leading = false;
  private readonly now: () => Date;

  constructor(
    private readonly access: KubeAccess,
    private readonly options: LeaseOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Whether this instance held the Lease at its last round. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** One round: acquires or renews the Lease when it may; returns whether this instance now holds it. */
  async round(): Promise<boolean> {
    this.leading = await this.tryHold();
    return this.leading;
  }

  /** Gives the Lease up (on shutdown), so that another instance takes over at once instead of after the duration. */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    const current = await this.read();
    if (current === undefined || current.spec.holderIdentity !== this.options.identity) return;
    await this.call('PUT', this.path(), {
      ...current,
      spec: { ...current.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
    });
  }

  private async tryHold(): Promise<boolean> {
    const now = this.now();
    const current = await this.read();
    const spec = { holderIdentity: this.options.identity, leaseDurationSeconds: this.options.durationSeconds, renewTime: microTime(now) };
    if (current === undefined) {
      const created = await this.call('POST', this.collectionPath(), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
      });
      if (created.status === 409) return false;
      this.expect(created, 'create');
      return true;
    }
    const version = current.metadata.resourceVersion ?? '';
    if (this.observed?.version !== version) this.observed = { version, at: now.getTime() };
    const holder = current.spec.holderIdentity ?? '';
    const duration = (current.spec.leaseDurationSeconds ?? this.options.durationSeconds) * 1000;
    const mine = holder === this.options.identity;
    if (holder !== '' && !mine && now.getTime() < this.observed.at + duration) return false;
    const updated = await this.call('PUT', this.path(), {
      ...current,
      spec: {
        ...current.spec,
        ...spec,
        acquireTime: mine ? current.spec.acquireTime : microTime(now),
        leaseTransitions: (current.spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    });
    if (updated.status === 409) return false;
    this.expect(updated, 'update');
    const stored = updated.body as LeaseObject;
    this.observed = { version: stored.metadata.resourceVersion ?? '', at: now.getTime() };
    return true;
  }

  private async read(): Promise<LeaseObject | undefined> {
    const response = await this.call('GET', this.path());
    if (response.status === 404) return undefined;
    this.expect(response, 'read');
    return response.body as LeaseObject;
  }

  private expect(response: { status: number; body: unknown }, what: string): void {
    if (response.status >= 200 && response.status < 300) return;
    const message = (response.body as { message?: string } | undefined)?.message ?? JSON.stringify(response.body);
    throw new Error(`cannot ${what} Lease ${this.options.namespace}/${this.options.name}: ${response.status} ${message}`);
  }

  private collectionPath(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases`;
  }

  private path(): string {
    return `${this.collectionPath()}/${encodeURIComponent(this.options.name)}`;
  }

  private call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        new URL(path, this.access.server),
        {
          method,
          ca: this.access.ca,
          timeout: 10_000,
          headers: {
            authorization: `Bearer ${this.access.token()}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: kept as text
            }
            resolve({ status: incoming.statusCode ?? 0, body: parsed });
          });
          incoming.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
}
