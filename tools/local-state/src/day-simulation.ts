/**
 * A school day on a state's local cluster, in compressed time. Every simulated minute the day's participants are
 * spread over the shards and their running bridges; each bridge's stress (by the capacity model) is served on a
 * loopback metrics endpoint, which a real Prometheus scrapes and real prometheus-adapter serves through the custom
 * metrics API with the stack's own adapter rules; the real HPA controller scales the bridges on it and the real
 * scheduler places them on the kwok nodes of the state's media pool. The run reports, minute by minute, demand
 * against capacity, and where demand met no capacity.
 *
 * Time is compressed by `secondsPerMinute` (real seconds per simulated minute), and every time setting of the
 * control loop with it, so the loop behaves in simulated time as it does in real time: the HPA controller's sync
 * period and downscale stabilization (kube's 15 s and 5 min), each HPA's behavior windows and periods, Prometheus'
 * scrape interval (15 s), the time windows of the adapter's queries (`[1m]`) and its series re-listing (1 min).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bridgeFullParticipants, sizeState, type StateSizing } from '@meetscale/capacity';
import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import type { HorizontalPodAutoscalerTiming } from '@meetscale/cluster';
import { waitFor } from '@meetscale/cluster';

import { startCustomMetricsApi } from './custom-metrics';
import { type BridgeLimits, bridgesAtMost, predictedUnserved, type ShardBridges, type ShardMinute, shardMinute } from './day-model';
import { startFakeExporter, startPrometheus } from './prometheus';
import type { SchoolDay } from './school-day';
import { BRIDGE_SELECTOR, mediaPools, pendingReason, scaleTargetPath, type StateCluster, type StateInstallation } from './state-cluster';

/** Real seconds per simulated minute, by default: a school day of eight and a half hours takes 17 minutes. */
export const DEFAULT_SECONDS_PER_MINUTE = 2;

/** The simulated seconds of the loop's own settings, before compression. */
const REAL_TIMING = { hpaSyncSeconds: 15, downscaleStabilizationSeconds: 300, scrapeSeconds: 15, relistSeconds: 60 } as const;

/** One minute of the report. */
export interface MinuteReport {
  /** `HH:MM`. */
  readonly time: string;
  /** The day's participants this minute, Jitsi and BigBlueButton together. */
  readonly participants: number;
  /** The Jitsi participants (the state's Jitsi share of them): the bridges' demand. */
  readonly demand: number;
  readonly running: number;
  readonly pending: number;
  /** Participants the running bridges carry at full load at most. */
  readonly capacity: number;
  readonly unserved: number;
  /** What the capacity model predicts unserved from the configuration alone. */
  readonly predictedUnserved: number;
  readonly shards: readonly ShardMinute[];
  /** How late this minute's reading was against its schedule, in real milliseconds (a busy machine). */
  readonly lateMs: number;
}

/** The report of a simulated day. */
export interface DayReport {
  readonly stateId: string;
  readonly day: string;
  readonly secondsPerMinute: number;
  /** Participants a bridge carries at full load, and at the HPA's target. */
  readonly bridge: { readonly fullParticipants: number; readonly plannedParticipants: number };
  readonly limits: BridgeLimits;
  /** Bridges the configuration allows each shard at most (autoscaler maximum and media pool together). */
  readonly bridgesAtMost: Readonly<Record<string, number>>;
  readonly minutes: readonly MinuteReport[];
}

/** How to simulate a day. */
export interface DaySimulationOptions {
  readonly day: SchoolDay;
  /** Real seconds per simulated minute (a whole number from 1 to 60). @default 2 */
  readonly secondsPerMinute?: number;
  /** Called after each minute, e.g. to print it. */
  readonly onMinute?: (minute: MinuteReport) => void;
}

/**
 * The HPA controller's timing for `secondsPerMinute`, to start the state's control plane with (the flags of
 * kube-controller-manager cannot change while it runs).
 */
export function compressedHpaTiming(secondsPerMinute: number): HorizontalPodAutoscalerTiming {
  _checkSecondsPerMinute(secondsPerMinute);
  return {
    syncPeriod: `${Math.round((REAL_TIMING.hpaSyncSeconds * secondsPerMinute * 1000) / 60)}ms`,
    downscaleStabilization: `${Math.round((REAL_TIMING.downscaleStabilizationSeconds * secondsPerMinute * 1000) / 60)}ms`,
  };
}

function _checkSecondsPerMinute(secondsPerMinute: number): void {
  if (!Number.isInteger(secondsPerMinute) || secondsPerMinute < 1 || secondsPerMinute > 60) {
    throw new Error(`seconds per simulated minute must be a whole number from 1 to 60, not ${secondsPerMinute}`);
  }
}

/** A duration of the adapter's queries (`[1m]`, `[90s]`) compressed to real milliseconds. */
export function compressQueryWindows(query: string, secondsPerMinute: number): string {
  const seconds = { s: 1, m: 60, h: 3600 } as const;
  return query.replace(/\[(\d+)([smh])\]/g, (_match, amount: string, unit: keyof typeof seconds) => {
    const simulated = Number(amount) * seconds[unit];
    return `[${Math.max(1, Math.round((simulated * secondsPerMinute * 1000) / 60))}ms]`;
  });
}

/** A rule of prometheus-adapter with its query windows compressed. */
function _compressRule(rule: any, secondsPerMinute: number): unknown {
  return typeof rule?.metricsQuery === 'string'
    ? { ...rule, metricsQuery: compressQueryWindows(rule.metricsQuery, secondsPerMinute) }
    : rule;
}

/** An HPA behavior's windows and periods compressed (whole seconds, a period at least 1). */
export function compressBehavior(behavior: Record<string, any> | undefined, secondsPerMinute: number): unknown {
  const scale = (seconds: number, min: number): number => Math.max(min, Math.ceil((seconds * secondsPerMinute) / 60));
  const direction = (rules: any): unknown =>
    rules === undefined
      ? undefined
      : {
          ...rules,
          ...(rules.stabilizationWindowSeconds === undefined
            ? {}
            : { stabilizationWindowSeconds: scale(rules.stabilizationWindowSeconds, 0) }),
          ...(rules.policies === undefined
            ? {}
            : { policies: rules.policies.map((policy: any) => ({ ...policy, periodSeconds: scale(policy.periodSeconds, 1) })) }),
        };
  return { scaleUp: direction(behavior?.scaleUp), scaleDown: direction(behavior?.scaleDown) };
}

/** The state's sizing, from the input its stack was sized with. @throws naming the missing output */
export function installationSizing(installation: StateInstallation): StateSizing {
  if (installation.sizingInput === undefined) {
    throw new Error(`the stack of state ${installation.stateId} has no sizing_input output: run \`npm run build\` again`);
  }
  const sizing = sizeState(installation.sizingInput);
  if (sizing.jitsi === null) throw new Error(`state ${installation.stateId} has no Jitsi participants to simulate`);
  return sizing;
}

/** The bridge limits the installation sets: each shard's HPA maximum, the media pool's nodes. */
export function bridgeLimits(installation: StateInstallation, sizing: StateSizing): BridgeLimits {
  const shards = installation.releases.filter((release) => release.values?.jvb?.autoscaling?.maxReplicas !== undefined);
  return {
    maxReplicas: Object.fromEntries(shards.map((release) => [release.name, release.values.jvb.autoscaling.maxReplicas as number])),
    mediaNodes: mediaPools(installation).reduce((sum, pool) => sum + pool.maxNodes, 0),
    bridgesPerNode: sizing.jitsi!.bridge.perNode,
  };
}

const isReady = (pod: any): boolean =>
  pod.spec.nodeName !== undefined &&
  (pod.status?.conditions ?? []).some((condition: any) => condition.type === 'Ready' && condition.status === 'True');

/** One shard's bridges as the cluster shows them now, and the names of its running bridge pods. */
async function _shardBridges(
  cluster: StateCluster,
  release: { name: string; namespace: string },
  hpa: any,
): Promise<{ bridges: ShardBridges; runningPods: string[] }> {
  const selector = `${BRIDGE_SELECTOR},app.kubernetes.io/instance=${release.name}`;
  const pods = (await cluster.client.list(`/api/v1/namespaces/${release.namespace}/pods`, selector)).filter(
    (pod) => pod.metadata.deletionTimestamp === undefined,
  );
  const pending = pods.filter((pod) => pod.spec.nodeName === undefined);
  const workload = await cluster.client.get(scaleTargetPath(hpa));
  const runningPods: string[] = pods.filter(isReady).map((pod) => pod.metadata.name);
  return {
    bridges: {
      shard: release.name,
      running: runningPods.length,
      pending: pending.length,
      pendingReason: [...new Set(pending.map(pendingReason))].join(' | '),
      replicas: workload.spec.replicas,
      maxReplicas: hpa.spec.maxReplicas,
    },
    runningPods,
  };
}

/** The exposition text of every running bridge's stress, labelled with its namespace and pod as the PodMonitor labels it. */
function _stressText(series: ReadonlyArray<{ namespace: string; pod: string; stress: number }>): string {
  const metric = JITSI_SHARD_CHART.metrics.jvbStress.series;
  const lines = series.map(({ namespace, pod, stress }) => `${metric}{namespace="${namespace}",pod="${pod}"} ${stress.toFixed(4)}`);
  return `# HELP ${metric} The bridge's load, as the day simulation computes it.\n# TYPE ${metric} gauge\n${lines.join('\n')}\n`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Runs `day` on an installed state cluster whose control plane was started with {@link compressedHpaTiming} of the
 * same `secondsPerMinute`. Starts and stops its own metrics endpoint, Prometheus and prometheus-adapter.
 */
export async function simulateDay(cluster: StateCluster, options: DaySimulationOptions): Promise<DayReport> {
  const secondsPerMinute = options.secondsPerMinute ?? DEFAULT_SECONDS_PER_MINUTE;
  _checkSecondsPerMinute(secondsPerMinute);
  const installation = cluster.installation;
  const sizing = installationSizing(installation);
  const limits = bridgeLimits(installation, sizing);
  const shards = installation.releases.filter((release) => release.name in limits.maxReplicas);
  if (shards.length === 0) throw new Error(`state ${installation.stateId} has no autoscaled bridges to simulate`);
  if (installation.adapterRules.length === 0) throw new Error(`the stack of state ${installation.stateId} has no prometheus-adapter rules`);

  const client = cluster.client;
  const hpaOf = async (release: { name: string; namespace: string }): Promise<any> => {
    const hpas = await client.list(
      `/apis/autoscaling/v2/namespaces/${release.namespace}/horizontalpodautoscalers`,
      `${BRIDGE_SELECTOR},app.kubernetes.io/instance=${release.name}`,
    );
    if (hpas.length !== 1) throw new Error(`shard ${release.name} has ${hpas.length} bridge autoscalers, not one`);
    return hpas[0];
  };
  // the HPAs' behavior in compressed time
  for (const release of shards) {
    const hpa = await hpaOf(release);
    await client.call(
      'PATCH',
      `/apis/autoscaling/v2/namespaces/${release.namespace}/horizontalpodautoscalers/${hpa.metadata.name}`,
      { spec: { behavior: compressBehavior(hpa.spec.behavior, secondsPerMinute) } },
      'application/merge-patch+json',
    );
  }

  const scratch = mkdtempSync(join(tmpdir(), 'meetscale-day-'));
  const exporter = await startFakeExporter(_stressText([]));
  const stops: Array<() => Promise<void>> = [() => exporter.stop()];
  try {
    const compress = (seconds: number): string => `${Math.round((seconds * secondsPerMinute * 1000) / 60)}ms`;
    const prometheus = await startPrometheus({
      scrapeInterval: compress(REAL_TIMING.scrapeSeconds),
      evaluationInterval: compress(REAL_TIMING.scrapeSeconds),
      scrapeConfigs: [{ job_name: 'bridges', honor_labels: true, static_configs: [{ targets: [exporter.target] }] }],
    });
    stops.unshift(() => prometheus.stop());
    const metricsApi = await startCustomMetricsApi(cluster.plane, {
      prometheusUrl: prometheus.url,
      rules: installation.adapterRules.map((rule) => _compressRule(rule, secondsPerMinute)),
      scratch,
      relistInterval: compress(REAL_TIMING.relistSeconds),
    });
    stops.unshift(() => metricsApi.stop());

    const minutes: MinuteReport[] = [];
    const readMinute = async (index: number, lateMs: number): Promise<MinuteReport> => {
      const { time, participants } = options.day.minutes[index]!;
      const demand = participants * sizing.input.jitsiShare;
      const shardMinutes: ShardMinute[] = [];
      const series: Array<{ namespace: string; pod: string; stress: number }> = [];
      for (const release of shards) {
        const { bridges, runningPods } = await _shardBridges(cluster, release, await hpaOf(release));
        const minute = shardMinute(sizing, bridges, demand / shards.length);
        shardMinutes.push(minute);
        for (const pod of runningPods) series.push({ namespace: release.namespace, pod, stress: minute.stress });
      }
      exporter.set(_stressText(series));
      const sum = (pick: (minute: ShardMinute) => number): number => shardMinutes.reduce((total, minute) => total + pick(minute), 0);
      return {
        time,
        participants,
        demand: Math.round(demand),
        running: sum((minute) => minute.running),
        pending: sum((minute) => minute.pending),
        capacity: sum((minute) => minute.capacity),
        unserved: Math.round(sum((minute) => minute.unserved)),
        predictedUnserved: Math.round(predictedUnserved(sizing, limits, demand)),
        shards: shardMinutes,
        lateMs,
      };
    };

    // the first minute's load, until every autoscaler reads it: the day starts from a settled cluster
    await readMinute(0, 0);
    await waitFor(
      'every bridge autoscaler to read the bridges’ stress',
      async () => {
        await readMinute(0, 0);
        for (const release of shards) if ((await hpaOf(release)).status?.currentMetrics?.[0] === undefined) return undefined;
        return true;
      },
      120_000,
      1_000,
    );

    const start = Date.now();
    for (let index = 0; index < options.day.minutes.length; index++) {
      const due = start + index * secondsPerMinute * 1000;
      await sleep(due - Date.now());
      const minute = await readMinute(index, Math.max(0, Date.now() - due));
      minutes.push(minute);
      options.onMinute?.(minute);
    }
    return {
      stateId: installation.stateId,
      day: options.day.description,
      secondsPerMinute,
      bridge: { fullParticipants: bridgeFullParticipants(sizing), plannedParticipants: sizing.jitsi!.bridge.participants },
      limits,
      bridgesAtMost: bridgesAtMost(limits),
      minutes,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}
