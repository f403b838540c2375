import { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';

import type { HelmReleaseSpec } from './helm-release-spec';

/** Properties of {@link HelmReleases}. */
export interface HelmReleasesProps {
  /** The releases, in install order: a release may name earlier ones in `after`. */
  readonly releases: readonly HelmReleaseSpec[];
  /**
   * What every release waits for (e.g. the node pools, or another list's releases).
   * @default - nothing
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Seconds Helm waits for a release's resources to become ready, unless the release says otherwise. */
const RELEASE_TIMEOUT_SECONDS = 900;

/**
 * A list of Helm releases installed by the Helm provider: pinned chart versions, values as YAML, atomic
 * installs and upgrades (a failed one is rolled back), namespaces created on demand.
 */
export class HelmReleases extends Construct {
  private readonly installed = new Map<string, Release>();
  private readonly dependsOn: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: HelmReleasesProps) {
    super(scope, id);
    this.dependsOn = props.dependsOn ?? [];
    for (const spec of props.releases) {
      this.addRelease(spec);
    }
  }

  /**
   * Adds a release after the ones it names in `after`.
   * @throws if the name is taken or `after` names a release not added yet
   */
  public addRelease(spec: HelmReleaseSpec): Release {
    if (this.installed.has(spec.name)) {
      throw new Error(`Helm release "${spec.name}" is listed twice`);
    }
    const after = (spec.after ?? []).map((name) => {
      const release = this.installed.get(name);
      if (release === undefined) {
        throw new Error(`Helm release "${spec.name}" comes after "${name}", which is not listed before it`);
      }
      return release;
    });
    const sensitive = Object.entries(spec.sensitiveValues ?? {}).map(([name, value]) => ({ name, value }));
    const release = new Release(this, spec.name, {
      name: spec.name,
      chart: spec.chart,
      repository: spec.repository,
      version: spec.version,
      namespace: spec.namespace,
      createNamespace: true,
      values: [stringify(spec.values, { lineWidth: 0 })],
      setSensitive: sensitive.length > 0 ? sensitive : undefined,
      takeOwnership: spec.takeOwnership === true ? true : undefined,
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 5,
      timeout: spec.timeoutSeconds ?? RELEASE_TIMEOUT_SECONDS,
      dependsOn: this.dependsOn.length + after.length > 0 ? [...this.dependsOn, ...after] : undefined,
    });
    this.installed.set(spec.name, release);
    return release;
  }

  /**
   * The release of that name.
   * @throws if there is none
   */
  public release(name: string): Release {
    const release = this.installed.get(name);
    if (release === undefined) throw new Error(`no Helm release "${name}" in ${[...this.installed.keys()].join(', ')}`);
    return release;
  }

  /** The releases, in the order they were added. */
  public get releases(): Release[] {
    return [...this.installed.values()];
  }
}
