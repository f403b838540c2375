import { SCALELITE_CHART } from '@meetscale/chart-values/facts/scalelite';
import type { ScaleliteValues } from '@meetscale/chart-values/scalelite';

import { gatewayParentRef } from './gateway';
import type { HelmReleaseSpec } from './helm-release-spec';
import { meetscaleChart } from './meetscale-chart';

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
export function scaleliteValues(stateId: string, apiHost: string, backends: ScaleliteBackends): ScaleliteValues {
  return {
    commonLabels: { 'meetscale.io/state': stateId },
    urlHost: apiHost,
    database: { ...backends.database, password: { ...backends.database.password }, sslMode: 'require' },
    // IONOS' In-Memory DB user is `default`: a password alone
    redis: { host: backends.redis.host, port: backends.redis.port, db: 0, tls: false, password: { ...backends.redis.password } },
    recordings: { existingClaim: backends.recordingsClaim },
    httpRoute: { enabled: true, parentRefs: [gatewayParentRef()], hostnames: [apiHost] },
    servers: [],
  };
}

/**
 * The Scalelite release of a state: the scalelite chart's last release from the state's registry, in
 * {@link BIGBLUEBUTTON_NAMESPACE}, with {@link scaleliteValues}.
 */
export function scaleliteRelease(registry: string, stateId: string, apiHost: string, backends: ScaleliteBackends): HelmReleaseSpec {
  return meetscaleChart<ScaleliteValues>({
    chart: SCALELITE_CHART.chart,
    registry,
    namespace: BIGBLUEBUTTON_NAMESPACE,
    values: scaleliteValues(stateId, apiHost, backends),
  });
}
