import {
  concatLists,
  type ContainerProps,
  type HelmChart,
  Manifest,
  type Refs,
  type Templated,
  Workload,
  type WorkloadValues,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { DeploymentStrategy } from 'kubernetes-types/apps/v1';
import type { Service, ServicePort, Volume } from 'kubernetes-types/core/v1';

import { RUNTIME_MOUNTS, RUNTIME_VOLUMES } from './_pod';
import type { ShardComponent, ShardSettings } from './shard-settings';
import type { JitsiShardValues } from './values';

/** Settings of the ComponentDeployment construct. */
export interface ComponentDeploymentProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
  /** The component name (`web`, `prosody`, `jicofo`), also the container name. */
  readonly component: Exclude<ShardComponent, 'jvb'>;
  /** The component's values. */
  readonly values: Refs<WorkloadValues>;
  /**
   * Replicas: a value, or a fixed count for components that must never run twice.
   * @default 1
   */
  readonly replicas?: Templated<number>;
  /** How the Deployment replaces its pods. */
  readonly strategy: Templated<DeploymentStrategy>;
  /** The container's ports, env and extra mounts. */
  readonly container: ContainerProps;
  /** Checksum annotations besides `checksum/settings`, of the other ConfigMaps the pods read. */
  readonly checksums?: Readonly<Record<string, string>>;
  /** Volumes besides `/run` and `/tmp`. */
  readonly volumes?: ReadonlyArray<Templated<Volume>>;
  /** Ports of the component's Service, which selects its pods; no Service when left out. */
  readonly servicePorts?: ReadonlyArray<Templated<ServicePort>>;
}

/**
 * One component of a shard that runs as a Deployment (web, prosody, jicofo): the jitsi image as a non-root,
 * read-only container loading the settings its image reads, with emptyDirs for `/run` and `/tmp`, everything else from
 * its values block; the Service in front of it.
 */
export class ComponentDeployment extends Construct {
  /** The workload (Deployment, ServiceAccount, PodDisruptionBudget). */
  public readonly workload: Workload;

  public constructor(scope: Construct, id: string, props: ComponentDeploymentProps) {
    super(scope, id);
    const { chart, settings, component, container } = props;
    const own = settings.of(component);
    this.workload = new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component,
      values: props.values,
      replicas: props.replicas,
      deployment: { strategy: props.strategy },
      checksums: { 'checksum/settings': own.checksum, ...props.checksums },
      imagePullSecrets: [chart.values.imagePullSecrets],
      container: {
        ...container,
        envFrom: [{ configMapRef: { name: own.configMapName } }],
        volumeMounts: concatLists(RUNTIME_MOUNTS, container.volumeMounts ?? []),
      },
      volumes: [...RUNTIME_VOLUMES, ...(props.volumes ?? [])],
    });
    if (props.servicePorts === undefined) return;
    new Manifest<Service>(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: this.workload.name, labels: chart.standardLabels(component) },
      spec: { selector: chart.selectorLabels(component), ports: props.servicePorts },
    });
  }
}
