import './_bindings';

import { defaultSizingInput, figure, sizeState, type StateSizing } from '@meetscale/capacity';
import { Testing } from 'cdktf';
import { parse } from 'yaml';

import { loadStates } from '../src/load-states';
import { MeetscaleStack } from '../src/meetscale-stack';
import type { StateConfig, StateConfigInput } from '../src/state-config';
import { parseStateConfig } from '../src/state-config';
import type { SynthesizedStack } from './_provider-schema';

/** A synthesized stack: the stack, its Terraform JSON as text (for cdktf's matchers) and parsed. */
export interface Synthesized {
  readonly stack: MeetscaleStack;
  readonly text: string;
  readonly json: SynthesizedStack & { resource: Record<string, Record<string, Record<string, unknown>>> };
}

/** Synthesizes one state's stack in a cdktf testing app. */
export function synthesize(config: StateConfig): Synthesized {
  const stack = new MeetscaleStack(Testing.app(), config);
  const text = Testing.synth(stack);
  return { stack, text, json: JSON.parse(text) as Synthesized['json'] };
}

/** The example states of `states/`, validated. */
export function exampleStates(): Promise<StateConfig[]> {
  return loadStates();
}

/** A resource of a synthesized stack by type and address name. */
export function resourceOf(synthesized: Synthesized, type: string, name: string): Record<string, unknown> {
  const resource = synthesized.json.resource[type]?.[name];
  if (resource === undefined) throw new Error(`no ${type}.${name} in ${Object.keys(synthesized.json.resource[type] ?? {}).join(', ')}`);
  return resource;
}

/** The values of a Helm release of a synthesized stack, parsed from YAML. */
export function helmValuesOf(synthesized: Synthesized, name: string): unknown {
  const release = resourceOf(synthesized, 'helm_release', name) as { values: string[] };
  return parse(release.values[0] ?? '');
}

/**
 * A minimal valid state configuration, for tests that change one thing: a peak load of 40 participants, its pools and
 * its one shard set by hand (the model would give two shards and a system pool of more, larger nodes).
 */
export function minimalState(overrides: Partial<StateConfigInput> = {}): StateConfigInput {
  return {
    id: 'testland',
    name: 'Testland',
    location: 'de/fra',
    domain: 'testland.meetscale.example',
    certificates: { acmeEmail: 'platform@testland.meetscale.example' },
    kubernetes: { version: '1.33.3', maintenanceWindow: { day: 'Sunday', time: '01:00:00Z' }, apiAllowList: ['192.0.2.0/24'] },
    peakLoad: { participants: 40, jitsiShare: 1 },
    nodePools: {
      system: { cores: 4, ramMb: 8192, minNodes: 1, maxNodes: 2 },
      media: { minNodes: 1, maxNodes: 2 },
    },
    jitsi: { shards: 1 },
    ...overrides,
  };
}

/** {@link minimalState}, validated. */
export function minimalConfig(overrides: Partial<StateConfigInput> = {}): StateConfig {
  return parseStateConfig(minimalState(overrides), 'test');
}

/**
 * A state that runs BigBlueButton (`bigbluebutton.enabled`) for half its peak load, with Scalelite's backing services
 * sized away from the defaults, in a location that offers them: the example states keep BigBlueButton off.
 */
export function bigBlueButtonState(): StateConfigInput {
  return minimalState({
    id: 'bbbland',
    name: 'BBBland',
    location: 'de/txl',
    domain: 'bbbland.meetscale.example',
    certificates: { acmeEmail: 'platform@bbbland.meetscale.example' },
    peakLoad: { participants: 40, jitsiShare: 0.5, bbbShare: 0.5 },
    bigbluebutton: {
      enabled: true,
      scalelite: {
        postgres: { cores: 4, ramMb: 8192, storageGb: 48, instances: 2, synchronizationMode: 'SYNCHRONOUS' },
        redis: { ramGb: 4, replicas: 2, persistence: 'AOF' },
        nfs: { sizeTib: 4 },
      },
    },
  });
}

/** {@link bigBlueButtonState}, validated. */
export function bigBlueButtonConfig(): StateConfig {
  return parseStateConfig(bigBlueButtonState(), 'test');
}

/** {@link bigBlueButtonState} with a pool of three BigBlueButton servers, sized away from the example state's. */
export function bigBlueButtonPoolState(servers: Record<string, unknown> = {}): StateConfigInput {
  const state = bigBlueButtonState();
  return {
    ...state,
    bigbluebutton: {
      ...(state.bigbluebutton as object),
      servers: {
        count: 3,
        cores: 6,
        ramMb: 12288,
        diskGb: 320,
        cpuFamily: 'INTEL_SKYLAKE',
        adminCidrs: ['192.0.2.10/32', '192.0.2.64/26'],
        monitoringCidrs: ['198.51.100.0/24'],
        sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbbbLandPlatformTeamKeyForTestsOnly000000 platform@bbbland'],
        ...servers,
      },
    },
  };
}

/** {@link bigBlueButtonPoolState}, validated. */
export function bigBlueButtonPoolConfig(servers: Record<string, unknown> = {}): StateConfig {
  return parseStateConfig(bigBlueButtonPoolState(servers), 'test');
}

/**
 * What the capacity model gives for a state's configuration as written, computed here from the fields the state
 * declares (its peak load, its media and system node sizes; the model's defaults for what it leaves out), not through
 * the app's own translation, so that the tests can hold the app to it.
 */
export function modelSizingOf(state: StateConfigInput): StateSizing {
  const load = state.peakLoad;
  const media = state.nodePools.media ?? {};
  const defaults = defaultSizingInput(load.participants);
  return sizeState({
    ...defaults,
    jitsiShare: load.jitsiShare,
    bbbShare: load.bbbShare ?? 0,
    conferenceSize: load.conferenceSize ?? defaults.conferenceSize,
    video: load.video ?? defaults.video,
    lastN: load.lastN ?? defaults.lastN,
    // the stacks run one bridge per media node (hostPort), the model's default
    mediaNode: { cores: media.cores ?? figure('mediaNodeCores'), ramGb: (media.ramMb ?? figure('mediaNodeRamGb') * 1024) / 1024 },
    systemNode: { cores: state.nodePools.system.cores, ramGb: state.nodePools.system.ramMb / 1024 },
  });
}
