import type { HelmChart, HelmValue } from '@meetscale/chart-toolkit';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import {
  applyPodSettings,
  ComponentDisruptionBudget,
  type ComponentPodProps,
  componentPodSpec,
  type PodSettings,
  workloadPodTemplate,
} from './_pod';
import type { ShardSettings } from './shard-settings';
import type { JitsiShardValues } from './values';

/** Settings of the ComponentDeployment construct. */
export interface ComponentDeploymentProps extends Omit<ComponentPodProps, 'settingsConfigMap'> {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
  /**
   * Replicas: a value, or a fixed count for components that must never run twice.
   * @default 1
   */
  readonly replicas?: HelmValue<number> | number;
  /** How the Deployment replaces its pods. */
  readonly strategy: k8s.DeploymentStrategy;
  /** The container's own env entries, before `extraEnv`. */
  readonly env: PodSettings['env'];
  /** Ports of the component's Service, which selects its pods. */
  readonly servicePorts: readonly k8s.ServicePort[];
}

/**
 * One component of a shard that runs as a Deployment (web, prosody, jicofo): the Deployment with the shard's
 * settings and the component's values applied, the Service in front of it, and its PodDisruptionBudget.
 */
export class ComponentDeployment extends Construct {
  /** The Deployment, for fields only this component sets. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service in front of the component's pods. */
  public readonly service: k8s.KubeService;

  public constructor(scope: Construct, id: string, props: ComponentDeploymentProps) {
    super(scope, id);
    const { chart, settings, component, values } = props;
    const name = String(chart.componentName(component));
    const labels = chart.standardLabels(component);
    const selector = chart.selectorLabels(component);

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels },
      spec: {
        replicas: typeof props.replicas === 'number' ? props.replicas : 1,
        selector: { matchLabels: selector },
        strategy: props.strategy,
        template: { metadata: {}, spec: componentPodSpec({ ...props, settingsConfigMap: settings.configMapName }) },
      },
    });
    if (props.replicas !== undefined && typeof props.replicas !== 'number')
      chart.setField(this.deployment, '/spec/replicas', props.replicas);
    applyPodSettings(chart, workloadPodTemplate(chart, this.deployment), {
      component,
      values,
      checksums: { 'checksum/settings': settings.checksum },
      env: props.env,
    });

    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name, labels },
      spec: { selector, ports: [...props.servicePorts] },
    });

    new ComponentDisruptionBudget(this, 'disruption-budget', { chart, component, values });
  }
}
