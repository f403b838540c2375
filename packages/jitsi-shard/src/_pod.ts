import type { Volume, VolumeMount } from 'kubernetes-types/core/v1';

/** A small in-memory emptyDir, for the directories s6-overlay and the config scripts write to. */
export function scratchVolume(name: string, size = '16Mi'): Volume {
  return { name, emptyDir: { medium: 'Memory', sizeLimit: size } };
}

/** `/run` and `/tmp`: s6-overlay renders each service's configuration into `/run` at every start. */
export const RUNTIME_VOLUMES: readonly Volume[] = [scratchVolume('run'), scratchVolume('tmp')];
export const RUNTIME_MOUNTS: readonly VolumeMount[] = [
  { name: 'run', mountPath: '/run' },
  { name: 'tmp', mountPath: '/tmp' },
];
