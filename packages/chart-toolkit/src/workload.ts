import { Construct } from 'constructs';
import type {
  DaemonSet,
  DaemonSetUpdateStrategy,
  Deployment,
  DeploymentStrategy,
  StatefulSet,
  StatefulSetUpdateStrategy,
} from 'kubernetes-types/apps/v1';
import type { Container, EnvFromSource, PodSpec, PodTemplateSpec, ServiceAccount, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';

import { addWorkload, defineYaml, type HelmChart, podAnnotations, podLabels } from './helm-chart';
import { HelmValue, type Refs } from './helm-value';
import { Manifest, type Templated } from './manifest';
import { and, concatLists, envList, type ListPartValue, omitIfEmpty } from './template-functions';
import type { WorkloadValues } from './workload-values';

/** The main container of a component: what the chart sets; image, resources, probes and the rest come from values. */
export interface ContainerProps {
  /** @default the component name */
  readonly name?: string;
  readonly command?: Templated<Container['command']>;
  readonly args?: Templated<Container['args']>;
  readonly ports?: Templated<Container['ports']>;
  readonly lifecycle?: Templated<Container['lifecycle']>;
  /** The container's own env entries (lists, `listWhen` parts); `extraEnv` follows, replacing entries by name. */
  readonly env?: readonly ListPartValue[];
  readonly envFrom?: ReadonlyArray<Templated<EnvFromSource>>;
  /** The container's mounts, or a list value (`concatLists` of `listWhen` parts); `extraVolumeMounts` follow. */
  readonly volumeMounts?: ReadonlyArray<Templated<VolumeMount>> | HelmValue<unknown[]>;
}

/** A component's pod: its container, volumes and the fields only it sets; the rest comes from its values block. */
export interface PodProps {
  /** The component (`web`, `jvb`): in names, labels, selectors and the container name. */
  readonly component: string;
  /** The component's values block (`workloadValues`; a DaemonSet's has no `podDisruptionBudget`). */
  readonly values: Refs<WorkloadValues> | Refs<Omit<WorkloadValues, 'podDisruptionBudget'>>;
  readonly container: ContainerProps;
  /**
   * Containers of the chart's own beside the main one, whole (a web server an upstream image requires next to the
   * application, say), before the user's `extraContainers`.
   * @default - none
   */
  readonly sidecars?: ReadonlyArray<Templated<Container>>;
  /** Volumes the container mounts, or a list value (`concatLists` of `listWhen` parts); `extraVolumes` follow. */
  readonly volumes?: ReadonlyArray<Templated<Volume>> | HelmValue<unknown[]>;
  /** `checksum/<what>` annotations that roll the pods when what they read changes. */
  readonly checksums?: Readonly<Record<string, string | HelmValue<string>>>;
  /** Pull secret lists besides `global.imagePullSecrets` and the component's own (a chart-wide list, say). */
  readonly imagePullSecrets?: ReadonlyArray<HelmValue<unknown>>;
  /** Pod fields only this component sets (`terminationGracePeriodSeconds`), or sets otherwise (`affinity`). */
  readonly spec?: Partial<Templated<PodSpec>>;
}

/** Settings of a Workload. */
export interface WorkloadProps extends PodProps {
  readonly chart: HelmChart<unknown>;
  /**
   * Name the workload (and its ServiceAccount and PodDisruptionBudget) `<fullname>`, as a chart of one component
   * does, rather than `<fullname>-<component>`.
   */
  readonly fullname?: boolean;
  /** Render the component's objects only when this value holds (a `<component>.enabled` switch). */
  readonly enabled?: HelmValue<unknown>;
  /** Pod replicas, a value or a count; leave it out where an autoscaler owns it (`onlyWhen`). @default 1 */
  readonly replicas?: Templated<number>;
  /** Run as a Deployment, replacing pods this way. */
  readonly deployment?: { readonly strategy?: Templated<DeploymentStrategy> };
  /** Run as a StatefulSet, with stable pod names behind a headless Service. */
  readonly statefulSet?: {
    readonly serviceName: string;
    readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
    readonly updateStrategy?: Templated<StatefulSetUpdateStrategy>;
  };
  /**
   * Run as a DaemonSet, one pod on each node the placement values select; no replicas, and no
   * PodDisruptionBudget (node drains leave DaemonSet pods alone).
   */
  readonly daemonSet?: { readonly updateStrategy?: Templated<DaemonSetUpdateStrategy> };
  /**
   * With both `deployment` and `statefulSet`: when each renders (conditions that exclude each other, such as two
   * values of one enum); their one pod template is a named template both include.
   */
  readonly kindWhen?: { readonly deployment: HelmValue<unknown>; readonly statefulSet: HelmValue<unknown> };
}

/** The pod template of a component (see `PodProps`), for a workload or a named template two workloads share. */
export function podTemplate(chart: HelmChart<unknown>, props: PodProps, serviceAccountName: Templated<string>): Templated<PodTemplateSpec> {
  const { component, values: v, container: c } = props;
  const checksums = Object.fromEntries(Object.entries(props.checksums ?? {}).map(([key, value]) => [key, String(value)]));
  const ownEnv = c.env ?? [];
  const container: Templated<Container> = {
    name: c.name ?? component,
    image: chart.image(v.image),
    imagePullPolicy: v.image.pullPolicy,
    command: c.command,
    args: c.args,
    ports: c.ports,
    env: ownEnv.length > 0 ? envList(`${component}.env`, ownEnv, v.extraEnv) : omitIfEmpty(v.extraEnv),
    envFrom: extended(c.envFrom, v.extraEnvFrom),
    resources: v.resources,
    securityContext: omitIfEmpty(v.containerSecurityContext),
    startupProbe: omitIfEmpty(v.startupProbe),
    readinessProbe: omitIfEmpty(v.readinessProbe),
    livenessProbe: omitIfEmpty(v.livenessProbe),
    lifecycle: c.lifecycle,
    volumeMounts: extended(c.volumeMounts, v.extraVolumeMounts),
  };
  const spec: Templated<PodSpec> = {
    serviceAccountName,
    automountServiceAccountToken: v.serviceAccount.automountServiceAccountToken,
    imagePullSecrets: chart.imagePullSecrets(...(props.imagePullSecrets ?? []), v.imagePullSecrets),
    priorityClassName: omitIfEmpty(v.priorityClassName),
    securityContext: omitIfEmpty(v.podSecurityContext),
    nodeSelector: omitIfEmpty(v.nodeSelector),
    affinity: omitIfEmpty(v.affinity),
    tolerations: omitIfEmpty(v.tolerations),
    topologySpreadConstraints: omitIfEmpty(v.topologySpreadConstraints),
    initContainers: omitIfEmpty(v.initContainers),
    containers: concatLists([container, ...(props.sidecars ?? [])], v.extraContainers),
    volumes: extended(props.volumes, v.extraVolumes),
    ...props.spec,
  };
  return {
    metadata: {
      labels: podLabels(chart, component, v.podLabels),
      annotations: Object.keys(checksums).length === 0 ? omitIfEmpty(v.podAnnotations) : podAnnotations(checksums, v.podAnnotations),
    },
    spec,
  };
}

/** The chart's own list items followed by the user's; only the user's (left out when empty) when there are none. */
function extended<T>(own: ReadonlyArray<Templated<T>> | HelmValue<unknown[]> | undefined, extra: HelmValue<unknown>): HelmValue<unknown> {
  if (own instanceof HelmValue) return concatLists(own, extra);
  return own === undefined || own.length === 0 ? omitIfEmpty(extra) : concatLists(own, extra);
}

/**
 * A workload component: a Deployment or a StatefulSet (or either, by a value), or a DaemonSet, whose pod reads
 * the component's standard values block, its ServiceAccount when `serviceAccount.create`, and (but for a
 * DaemonSet) its PodDisruptionBudget when `podDisruptionBudget.enabled`.
 */
export class Workload extends Construct {
  /** The workload's name. */
  public readonly name: string;
  /** The Deployment, when the component runs as one (or may). */
  public readonly deployment?: Manifest<Deployment>;
  /** The StatefulSet, when the component runs as one (or may). */
  public readonly statefulSet?: Manifest<StatefulSet>;
  /** The DaemonSet, when the component runs as one. */
  public readonly daemonSet?: Manifest<DaemonSet>;

  public constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { chart, component, values: v } = props;
    const name = String(props.fullname === true ? chart.fullname : chart.componentName(component));
    this.name = name;
    const labels = chart.standardLabels(component);
    const selector = chart.selectorLabels(component);
    if (props.daemonSet !== undefined && (props.deployment !== undefined || props.statefulSet !== undefined))
      throw new Error(`Workload ${component}: a DaemonSet is the only kind of its component`);
    if (props.deployment === undefined && props.statefulSet === undefined && props.daemonSet === undefined)
      throw new Error(`Workload ${component}: give deployment, statefulSet, both with kindWhen, or daemonSet`);
    const both = props.deployment !== undefined && props.statefulSet !== undefined;
    if (both !== (props.kindWhen !== undefined))
      throw new Error(`Workload ${component}: kindWhen chooses between a Deployment and a StatefulSet; give both or neither`);

    addWorkload(chart, component, v);
    const sa = v.serviceAccount;
    const serviceAccountName = chart.serviceAccountName(component, v, props.fullname === true);
    const serviceAccount = new Manifest<ServiceAccount>(this, 'serviceaccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccountName, labels, annotations: omitIfEmpty(sa.annotations) },
      automountServiceAccountToken: sa.automountServiceAccountToken,
    });
    const when = (condition: HelmValue<unknown>): HelmValue<unknown> =>
      props.enabled === undefined ? condition : and(props.enabled, condition);
    chart.renderWhen(serviceAccount, when(sa.create));

    const pod = podTemplate(chart, props, serviceAccountName);
    const template = both ? defineYaml(chart, `${component}.podTemplate`, pod as Record<string, unknown>) : pod;
    const replicas = props.replicas ?? 1;
    if (props.deployment !== undefined) {
      this.deployment = new Manifest<Deployment>(this, 'deployment', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, labels },
        spec: { replicas, selector: { matchLabels: selector }, strategy: props.deployment.strategy, template },
      });
      if (props.kindWhen !== undefined) chart.renderWhen(this.deployment, when(props.kindWhen.deployment));
      else if (props.enabled !== undefined) chart.renderWhen(this.deployment, props.enabled);
    }
    if (props.statefulSet !== undefined) {
      const s = props.statefulSet;
      this.statefulSet = new Manifest<StatefulSet>(this, 'statefulset', {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name, labels },
        spec: {
          serviceName: s.serviceName,
          podManagementPolicy: s.podManagementPolicy,
          replicas,
          selector: { matchLabels: selector },
          updateStrategy: s.updateStrategy,
          template,
        },
      });
      if (props.kindWhen !== undefined) chart.renderWhen(this.statefulSet, when(props.kindWhen.statefulSet));
      else if (props.enabled !== undefined) chart.renderWhen(this.statefulSet, props.enabled);
    }

    if (props.daemonSet !== undefined) {
      this.daemonSet = new Manifest<DaemonSet>(this, 'daemonset', {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name, labels },
        spec: { selector: { matchLabels: selector }, updateStrategy: props.daemonSet.updateStrategy, template },
      });
      if (props.enabled !== undefined) chart.renderWhen(this.daemonSet, props.enabled);
      return;
    }

    if (!('podDisruptionBudget' in v)) throw new Error(`Workload ${component}: its values block has no podDisruptionBudget`);
    const pdb = new Manifest<PodDisruptionBudget>(this, 'poddisruptionbudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, labels },
      spec: { maxUnavailable: v.podDisruptionBudget.maxUnavailable, selector: { matchLabels: selector } },
    });
    chart.renderWhen(pdb, when(v.podDisruptionBudget.enabled));
  }
}
