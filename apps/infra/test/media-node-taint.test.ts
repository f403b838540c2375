import { MEDIA_TAINT, MEDIA_TOLERATION } from '@meetscale/placement';

import { KUBECTL_IMAGE, mediaNodeTaintManifests, taintCommand } from '../src/media-node-taint';

describe('media-node taint', () => {
  test("taints the pod's own node with whatever taint it is given, overwriting an older value", () => {
    // GIVEN a taint
    const taint = { key: 'example.org/dedicated', value: 'gpu', effect: 'NoExecute' } as const;

    // WHEN its command is built
    const command = taintCommand(taint);

    // THEN kubectl taints the node named by $(NODE_NAME), which Kubernetes substitutes without a shell
    expect(command).toEqual(['kubectl', 'taint', 'node', '$(NODE_NAME)', 'example.org/dedicated=gpu:NoExecute', '--overwrite']);
  });

  test('tolerates exactly the taint it applies', () => {
    // GIVEN / WHEN the manifests
    const daemonSet = mediaNodeTaintManifests().find((manifest) => (manifest as { kind: string }).kind === 'DaemonSet') as any;
    const pod = daemonSet.spec.template.spec;

    // THEN the toleration and the taint in the command come from the same constant
    const [key, rest = ''] = (pod.initContainers[0].command[4] as string).split('=');
    const [value, effect] = rest.split(':');
    expect({ key, value, effect }).toEqual({ ...MEDIA_TAINT });
    expect(pod.tolerations).toEqual([{ ...MEDIA_TOLERATION }]);
    expect(pod.tolerations[0]).toMatchObject({ key, value, effect, operator: 'Equal' });
  });

  test("pins one kubectl image, by exact version, from the Kubernetes project's registry", () => {
    // GIVEN / WHEN / THEN
    expect(KUBECTL_IMAGE).toMatch(/^registry\.k8s\.io\/kubectl:v\d+\.\d+\.\d+$/);
    const images = mediaNodeTaintManifests()
      .filter((manifest) => (manifest as { kind: string }).kind === 'DaemonSet')
      .flatMap((daemonSet: any) => [...daemonSet.spec.template.spec.initContainers, ...daemonSet.spec.template.spec.containers])
      .map((container: { image: string }) => container.image);
    expect(new Set(images)).toEqual(new Set([KUBECTL_IMAGE]));
  });
});
