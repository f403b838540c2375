import { type Manifest, objectId } from './charts';

// The upgrade check lives with the release tooling, whose version discipline runs it against the last release.
export { upgradeBreaks } from '@meetscale/release';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Kubernetes workloads among rendered objects. */
export function workloads(manifests: readonly Manifest[]): Manifest[] {
  return manifests.filter((manifest) => WORKLOADS.has(manifest.kind));
}

/** Names of the ConfigMaps and Secrets a workload's pods read (volumes, projected volumes, env). */
export function configSources(workload: Manifest): Set<string> {
  const pod = (workload.spec as any)?.template?.spec ?? {};
  const names = new Set<string>();
  for (const volume of pod.volumes ?? []) {
    if (volume.configMap?.name) names.add(`ConfigMap/${volume.configMap.name}`);
    if (volume.secret?.secretName) names.add(`Secret/${volume.secret.secretName}`);
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap?.name) names.add(`ConfigMap/${source.configMap.name}`);
      if (source.secret?.name) names.add(`Secret/${source.secret.name}`);
    }
  }
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const env of container.env ?? []) {
      if (env.valueFrom?.configMapKeyRef?.name) names.add(`ConfigMap/${env.valueFrom.configMapKeyRef.name}`);
      if (env.valueFrom?.secretKeyRef?.name) names.add(`Secret/${env.valueFrom.secretKeyRef.name}`);
    }
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef?.name) names.add(`ConfigMap/${from.configMapRef.name}`);
      if (from.secretRef?.name) names.add(`Secret/${from.secretRef.name}`);
    }
  }
  return names;
}

/**
 * Workloads that read a ConfigMap or Secret whose content differs between two renders, but whose pod template
 * stayed the same: their pods would keep running the old configuration after `helm upgrade`.
 */
export function unrolledWorkloads(before: readonly Manifest[], after: readonly Manifest[]): string[] {
  const content = (manifests: readonly Manifest[], id: string): string => {
    const found = manifests.find((manifest) => objectId(manifest) === id);
    return JSON.stringify({ data: found?.data, stringData: found?.stringData, binaryData: found?.binaryData });
  };
  return workloads(after).flatMap((workload) => {
    const previous = before.find((manifest) => objectId(manifest) === objectId(workload));
    if (previous === undefined) return [];
    const changed = [...configSources(workload)].filter((id) => content(before, id) !== content(after, id));
    const rolled = JSON.stringify((previous.spec as any)?.template) !== JSON.stringify((workload.spec as any)?.template);
    return changed.length > 0 && !rolled ? [`${objectId(workload)} keeps its pods although ${changed.join(', ')} changed`] : [];
  });
}
