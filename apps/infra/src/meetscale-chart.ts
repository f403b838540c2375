import { releasedVersion } from '@meetscale/releases';

import type { HelmReleaseSpec } from './helm-release-spec';

/** A meetscale chart release whose values have the chart's generated values type `V`. */
export interface MeetscaleChart<V extends object> {
  /** Chart name (the directory under `charts/`). */
  readonly chart: string;
  /**
   * Release name.
   * @default - the chart name
   */
  readonly release?: string;
  /** The OCI registry of the chart (the state's `charts.registry`). */
  readonly registry: string;
  /** Namespace of the release. */
  readonly namespace: string;
  /** Values, checked against the chart's generated type: an unknown key does not compile. */
  readonly values: V;
  /**
   * Other releases of the same list to install first.
   * @default - none
   */
  readonly after?: readonly string[];
  /**
   * Adopt objects of the chart that exist already but belong to no release (the namespace the Helm provider
   * created for the release, say).
   * @default false
   */
  readonly takeOwnership?: boolean;
  /**
   * Seconds Helm waits for the release (its resources and hooks).
   * @default - 900 s, the default of `HelmReleases`
   */
  readonly timeoutSeconds?: number;
}

/**
 * A meetscale chart release from the OCI registry, at the chart's last released version (its release record in
 * `releases/<chart>/releases.json`; a version is never typed here). Call it with the chart's values type,
 * `meetscaleChart<HaproxyValues>({ ... })`, so the values object literal is checked key by key.
 * @throws when the chart has no release yet
 */
export function meetscaleChart<V extends object>(release: MeetscaleChart<V>): HelmReleaseSpec {
  return {
    name: release.release ?? release.chart,
    chart: release.chart,
    repository: release.registry,
    version: releasedVersion(release.chart),
    namespace: release.namespace,
    values: release.values,
    after: release.after,
    ...(release.takeOwnership === true ? { takeOwnership: true } : {}),
    ...(release.timeoutSeconds === undefined ? {} : { timeoutSeconds: release.timeoutSeconds }),
  };
}
