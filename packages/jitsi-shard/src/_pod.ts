import { envList, type HelmChart, type ListPartValue, omitIfEmpty, type Refs } from '@meetscale/chart-toolkit';
import { k8s } from 'cdk8s-plus-27';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';

import type { JitsiShardValues } from './values';

/** The values every component has (`web`, `prosody`, `jicofo`, `jvb`). */
export type ComponentValues = Pick<
  JitsiShardValues['web'],
  | 'image'
  | 'resources'
  | 'extraEnv'
  | 'nodeSelector'
  | 'tolerations'
  | 'affinity'
  | 'podAnnotations'
  | 'podLabels'
  | 'priorityClassName'
  | 'podDisruptionBudget'
>;

/** UID and GID of the `s6` user the jitsi images (stable-11146 and later) run as. */
export const JITSI_USER = 1000;

/**
 * The pod security context of every component: the jitsi images run rootless as `s6` (UID 1000), so the
 * pods run non-root with the runtime's default seccomp profile; `fsGroup` makes the emptyDirs theirs.
 */
export const POD_SECURITY_CONTEXT: k8s.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: JITSI_USER,
  runAsGroup: JITSI_USER,
  fsGroup: JITSI_USER,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The container security context: no capabilities at all (every port is above 1024), read-only root. */
export const CONTAINER_SECURITY_CONTEXT: k8s.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/** A small in-memory emptyDir, for the directories s6-overlay and the config scripts write to. */
export function scratchVolume(name: string, size = '16Mi'): k8s.Volume {
  return { name, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(size) } };
}

/** `/run` and `/tmp`: s6-overlay renders each service's configuration into `/run` at every start. */
export const RUNTIME_VOLUMES: k8s.Volume[] = [scratchVolume('run'), scratchVolume('tmp')];
export const RUNTIME_MOUNTS: k8s.VolumeMount[] = [
  { name: 'run', mountPath: '/run' },
  { name: 'tmp', mountPath: '/tmp' },
];

/** What a component's pod adds to the settings every component shares. */
export interface ComponentPodProps {
  /** The component name, also the container name. */
  readonly component: string;
  /** The component's values. */
  readonly values: Refs<ComponentValues>;
  /** The name of the ConfigMap of shared settings the container loads. */
  readonly settingsConfigMap: string;
  /** The container's ports, probes, lifecycle and extra mounts. */
  readonly container: Omit<k8s.Container, 'name' | 'image' | 'envFrom' | 'securityContext'>;
  /** Volumes besides `/run` and `/tmp`. */
  readonly volumes?: readonly k8s.Volume[];
}

/**
 * The pod spec of a component: the jitsi image as a non-root, read-only container with no capabilities,
 * loading the shared settings, with emptyDirs for `/run` and `/tmp` plus the component's own mounts.
 */
export function componentPodSpec(props: ComponentPodProps): k8s.PodSpec {
  const { container, values } = props;
  return {
    automountServiceAccountToken: false,
    securityContext: POD_SECURITY_CONTEXT,
    containers: [
      {
        ...container,
        name: props.component,
        image: `${values.image.repository}:${values.image.tag}`,
        envFrom: [{ configMapRef: { name: props.settingsConfigMap } }],
        securityContext: CONTAINER_SECURITY_CONTEXT,
        volumeMounts: [...RUNTIME_MOUNTS, ...(container.volumeMounts ?? [])],
      },
    ],
    volumes: [...RUNTIME_VOLUMES, ...(props.volumes ?? [])],
  };
}

/** What a component workload shares with the shard: settings, credentials, and its own env entries. */
export interface PodSettings {
  /** The component name (`web`, `jvb`, ...), in labels and selectors. */
  readonly component: string;
  /** The component's values. */
  readonly values: Refs<ComponentValues>;
  /** Annotations that roll the pods when what they read changes (`checksum/...`). */
  readonly checksums: Readonly<Record<string, string>>;
  /** The container's own env entries (lists, or `listWhen` parts), before the user's `extraEnv`. */
  readonly env: readonly ListPartValue[];
}

/** Sets a field of a pod template, by JSON pointer from the template (`/spec/nodeSelector`). */
export type PodTemplateField = (pointer: string, value: unknown) => void;

/**
 * Sets what every component's pod template reads from values: labels, annotations, pull secrets, placement,
 * image pull policy, resources, and env (the component's own entries, then `extraEnv`, which replaces an own
 * entry of the same name).
 */
export function applyPodSettings(chart: HelmChart<JitsiShardValues>, set: PodTemplateField, settings: PodSettings): void {
  const v = settings.values;
  set('/metadata/labels', chart.podLabels(settings.component, v.podLabels));
  set('/metadata/annotations', chart.podAnnotations(settings.checksums, v.podAnnotations));
  set('/spec/imagePullSecrets', chart.imagePullSecrets(chart.values.imagePullSecrets));
  set('/spec/nodeSelector', omitIfEmpty(v.nodeSelector));
  set('/spec/tolerations', omitIfEmpty(v.tolerations));
  set('/spec/affinity', omitIfEmpty(v.affinity));
  set('/spec/priorityClassName', omitIfEmpty(v.priorityClassName));
  set('/spec/containers/0/imagePullPolicy', v.image.pullPolicy);
  set('/spec/containers/0/resources', v.resources);
  set('/spec/containers/0/env', envList(`${settings.component}.env`, settings.env, v.extraEnv));
}

/** Sets pod template fields of a workload (Deployment, StatefulSet) built as a cdk8s object. */
export function workloadPodTemplate(chart: HelmChart<JitsiShardValues>, workload: IConstruct): PodTemplateField {
  return (pointer, value) => chart.setField(workload, `/spec/template${pointer}`, value);
}

/** Settings of a component's PodDisruptionBudget. */
export interface ComponentDisruptionBudgetProps {
  readonly chart: HelmChart<JitsiShardValues>;
  readonly component: string;
  readonly values: Refs<ComponentValues>;
}

/** The PodDisruptionBudget of one component, switched and sized by its `podDisruptionBudget` values. */
export class ComponentDisruptionBudget extends Construct {
  public constructor(scope: Construct, id: string, props: ComponentDisruptionBudgetProps) {
    super(scope, id);
    const { chart, component, values } = props;
    const pdb = new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: String(chart.componentName(component)), labels: chart.standardLabels(component) },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: chart.selectorLabels(component) } },
    });
    chart.setField(pdb, '/spec/maxUnavailable', values.podDisruptionBudget.maxUnavailable);
    chart.renderWhen(pdb, values.podDisruptionBudget.enabled);
  }
}
