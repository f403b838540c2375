import { type GatewayParentRef, gatewayParentRef } from './gateway';

/**
 * The Scalelite release of a state with BigBlueButton: Scalelite (the BigBlueButton API of the state's pool of
 * BigBlueButton servers) from the meetscale `scalelite` chart, on the backing services of
 * {@link ScaleliteBackingServices} (`scalelite-backing-services.ts`).
 */

/**
 * The namespace of the Scalelite release and of the Secrets and the recordings claim it reads, created with Pod
 * Security `restricted` by the state-base release (Scalelite's images run as non-root UID 1000 with no host access).
 */
export const BIGBLUEBUTTON_NAMESPACE = 'bigbluebutton';

/** A key of a Secret in {@link BIGBLUEBUTTON_NAMESPACE}. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly existingSecret: string;
  /** The key in it. */
  readonly key: string;
}

/**
 * TODO(scalelite chart): replace with `ScaleliteValues` from `@meetscale/chart-values/scalelite` once the chart in
 * packages/scalelite synthesizes (its values schema, `packages/scalelite/src/values.ts`, has these keys), and take
 * its facts (`SCALELITE_CHART` from `@meetscale/chart-values/facts/scalelite`) for the chart name. Until then, the
 * keys this app sets, as the chart's values schema names them.
 */
export interface ScaleliteReleaseValues {
  /** Labels added to every resource of the release. */
  readonly commonLabels: Readonly<Record<string, string>>;
  /** The public host name of the BigBlueButton API and playback (`URL_HOST`). */
  readonly urlHost: string;
  /** PostgreSQL, by reference. */
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly user: string;
    readonly password: SecretKeyRef;
    readonly sslMode: 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
  };
  /** Redis, by reference. */
  readonly redis: {
    readonly host: string;
    readonly port: number;
    readonly db: number;
    readonly tls: boolean;
    readonly password: SecretKeyRef;
  };
  /** The recordings share: a ReadWriteMany claim of this app's. */
  readonly recordings: { readonly existingClaim: string };
  /** The route from the state's Gateway. */
  readonly httpRoute: { readonly enabled: boolean; readonly parentRefs: GatewayParentRef[]; readonly hostnames: string[] };
  /** The BigBlueButton servers (none yet: they come with the servers' own provisioning). */
  readonly servers: never[];
}

/** What Scalelite's values are computed from: the backing services' endpoints and the Secrets holding their passwords. */
export interface ScaleliteBackends {
  /** PostgreSQL. */
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly user: string;
    readonly password: SecretKeyRef;
  };
  /** Redis. */
  readonly redis: { readonly host: string; readonly port: number; readonly password: SecretKeyRef };
  /** The recordings claim in {@link BIGBLUEBUTTON_NAMESPACE}. */
  readonly recordingsClaim: string;
}

/**
 * The values of a state's Scalelite release: the API at `apiHost`, routed from the state's Gateway; PostgreSQL over
 * TLS (`require`: IONOS DBaaS serves TLS with a certificate of its own CA, which the image does not carry); Redis in
 * the private LAN without TLS; the recordings on the NFS claim; no BigBlueButton server yet.
 */
export function scaleliteValues(stateId: string, apiHost: string, backends: ScaleliteBackends): ScaleliteReleaseValues {
  return {
    commonLabels: { 'meetscale.io/state': stateId },
    urlHost: apiHost,
    database: { ...backends.database, password: { ...backends.database.password }, sslMode: 'require' },
    redis: { host: backends.redis.host, port: backends.redis.port, db: 0, tls: false, password: { ...backends.redis.password } },
    recordings: { existingClaim: backends.recordingsClaim },
    httpRoute: { enabled: true, parentRefs: [gatewayParentRef()], hostnames: [apiHost] },
    servers: [],
  };
}
