/**
 * Every figure the capacity model uses, in one table, each with where it comes from. Nothing here is read at run
 * time from outside the repository: the figures are copied from the documents they cite (public repository paths,
 * web pages with the date they showed, or this repository's own files), and a figure nobody measured says so as an
 * assumption with its reason. `README.md` beside this package explains how the model uses them.
 */

/** The HPI Schul-Cloud load tests every measured bridge figure comes from. */
const HPI_LOAD_TESTS = 'hpi-schul-cloud/jitsi-deployment docs/loadtests/loadtestresults.md';

/** Where a figure comes from. */
export type FigureSource =
  /** A document (a public repository path, an article, or a file of this repository) and the section stating it. */
  | { readonly document: string; readonly section: string }
  /** A price page, with the date the figure was read and, if it was read through a copy, that copy. */
  | { readonly url: string; readonly asOf: string; readonly via: string }
  /** Nobody measured or published it: the reason for the value chosen. */
  | { readonly assumption: string }
  /** No source was found and no value is assumed: the model leaves the item out and says so. */
  | { readonly unsourced: string };

/** A single figure. */
export interface Figure {
  readonly kind: 'figure';
  /** The value; `null` only for an unsourced figure the model leaves out. */
  readonly value: number | null;
  readonly unit: string;
  /** What the figure is. */
  readonly what: string;
  readonly source: FigureSource;
}

/** `channelLastN`: how many video streams a receiver gets at most; `unlimited` is jitsi-meet's `-1`. */
export type LastN = number | 'unlimited';

/** Conferences of one size on one bridge. */
export interface ConferenceGroup {
  /** Conferences of this size on the bridge. */
  readonly count: number;
  /** Participants in each, every one sending video and audio. */
  readonly size: number;
}

/**
 * How a load-test run ended: `clean` below the bridge's CPU limit with every participant stable; `saturated` at the
 * CPU limit (throttled: the demand is above the limit, its amount unknown); `flagged` when the source itself calls the
 * reading inconsistent; `degraded` when participants dropped for another reason (network), so the reading is not the
 * full load.
 */
export type RunOutcome = 'clean' | 'saturated' | 'flagged' | 'degraded';

/** One run of a bridge load test. */
export interface LoadTestRun {
  readonly kind: 'load-test';
  /** CPU limit of each bridge pod, cores. */
  readonly bridgeCpuLimit: number;
  /** Bridges in the run. */
  readonly bridges: number;
  /** The conferences on each bridge. */
  readonly conferencesPerBridge: readonly ConferenceGroup[];
  /** `channelLastN` of the web configuration. */
  readonly lastN: LastN;
  /** Video every participant sent. */
  readonly video: '720p60';
  /** Highest CPU use of a bridge, cores. */
  readonly cores: number;
  /** Highest network transmit of all bridges together, MB/s. */
  readonly transmitMBps: number;
  /** CPU throttling of the bridge pod, percent. */
  readonly throttlingPercent: number;
  readonly outcome: RunOutcome;
  /** What the source says about the run, and how the model reads it. */
  readonly note: string;
  readonly source: { readonly document: string; readonly section: string };
}

/** A load-test run on one bridge hosting one conference. */
const oneConference = (
  section: string,
  run: Omit<LoadTestRun, 'kind' | 'bridges' | 'conferencesPerBridge' | 'video' | 'source'> & { readonly participants: number },
): LoadTestRun => {
  const { participants, ...rest } = run;
  return {
    kind: 'load-test',
    bridges: 1,
    conferencesPerBridge: [{ count: 1, size: participants }],
    video: '720p60',
    ...rest,
    source: { document: HPI_LOAD_TESTS, section },
  };
};

const S111 = '1.1.1 (CPU limit 4 cores, channelLastN not set)';
const S112 = '1.1.2 (CPU limit 4 cores, channelLastN 5)';
const S122 = '1.2.2 (CPU limit 8 cores, channelLastN 5)';
const S21 = '2.1 (eight conferences in parallel, two bridges of 4 cores)';
const PARALLEL_RUNS =
  'The section runs eight conferences on two bridges and reports the busier bridge; the model reads it as four conferences on each (the source does not say how jicofo split them). It does not state channelLastN either: with conferences of 5 a receiver gets at most 4 streams, so lastN 5 and unset give the same load; the 10-participant run is read with lastN 5, the smaller load.';

/** Which kind of entry a figure name belongs to. */
export type FigureEntry = Figure | LoadTestRun;

/** The figures of the capacity model. */
export const FIGURES = {
  // ---------------------------------------------------------------- the bridge load tests (every participant 720p60)
  hpi111n8: oneConference(S111, {
    bridgeCpuLimit: 4,
    participants: 8,
    lastN: 'unlimited',
    cores: 1.9,
    transmitMBps: 4.7,
    throttlingPercent: 0,
    outcome: 'clean',
    note: 'stable, very high video quality',
  }),
  hpi111n14: oneConference(S111, {
    bridgeCpuLimit: 4,
    participants: 14,
    lastN: 'unlimited',
    cores: 3.5,
    transmitMBps: 10.7,
    throttlingPercent: 5,
    outcome: 'clean',
    note: 'stable, very high video quality',
  }),
  hpi111n24: oneConference(S111, {
    bridgeCpuLimit: 4,
    participants: 24,
    lastN: 'unlimited',
    cores: 4,
    transmitMBps: 14.6,
    throttlingPercent: 80,
    outcome: 'saturated',
    note: 'at the pod limit, 80 % throttled, video okay and partly lagging; the conference was moved to another bridge',
  }),
  hpi112n8: oneConference(S112, {
    bridgeCpuLimit: 4,
    participants: 8,
    lastN: 5,
    cores: 1.9,
    transmitMBps: 4.1,
    throttlingPercent: 0,
    outcome: 'clean',
    note: 'stable, very high video quality',
  }),
  hpi112n16: oneConference(S112, {
    bridgeCpuLimit: 4,
    participants: 16,
    lastN: 5,
    cores: 3.5,
    transmitMBps: 9.1,
    throttlingPercent: 5,
    outcome: 'clean',
    note: 'stable, very high video quality',
  }),
  hpi112n24: oneConference(S112, {
    bridgeCpuLimit: 4,
    participants: 24,
    lastN: 5,
    cores: 4,
    transmitMBps: 8.4,
    throttlingPercent: 80,
    outcome: 'saturated',
    note: 'at the pod limit, 80 % throttled; video quality still high',
  }),
  hpi122n32: oneConference(S122, {
    bridgeCpuLimit: 8,
    participants: 32,
    lastN: 5,
    cores: 4.3,
    transmitMBps: 17,
    throttlingPercent: 0,
    outcome: 'degraded',
    note: '3 participants left; the bridge logged network errors (RTT 4.5 s, "the traffic might be already too high"), so the CPU reading is not the load of 32',
  }),
  hpi122n16: oneConference(S122, {
    bridgeCpuLimit: 8,
    participants: 16,
    lastN: 5,
    cores: 1.8,
    transmitMBps: 8.5,
    throttlingPercent: 0,
    outcome: 'flagged',
    note: 'the source remarks "CPU usage inconsistent with other observations" (the same load took 3.5 cores in 1.1.2)',
  }),
  hpi21x5: {
    kind: 'load-test',
    bridgeCpuLimit: 4,
    bridges: 2,
    conferencesPerBridge: [{ count: 4, size: 5 }],
    lastN: 5,
    video: '720p60',
    cores: 2.5,
    transmitMBps: 9.1 + 6.0,
    throttlingPercent: 0,
    outcome: 'clean',
    note: `stable, very high video quality; transmit 9.1 and 6.0 MB/s on the two bridges. ${PARALLEL_RUNS}`,
    source: { document: HPI_LOAD_TESTS, section: S21 },
  },
  hpi21x10: {
    kind: 'load-test',
    bridgeCpuLimit: 4,
    bridges: 2,
    conferencesPerBridge: [{ count: 4, size: 10 }],
    lastN: 5,
    video: '720p60',
    cores: 3.9,
    transmitMBps: 12.5 + 10.5,
    throttlingPercent: 50,
    outcome: 'saturated',
    note: `nearly at the pod limit, 50 % throttled, several participants lost. ${PARALLEL_RUNS}`,
    source: { document: HPI_LOAD_TESTS, section: S21 },
  },

  // ---------------------------------------------------------------- bridges and media nodes
  bridgeMemoryMaxMb: {
    kind: 'figure',
    value: 960,
    unit: 'MB',
    what: 'highest memory use of a bridge in any run (760 to 960 MB, whatever the load)',
    source: { document: HPI_LOAD_TESTS, section: 'every table, column "Max Memory Usage per JVB"' },
  },
  bridgeMemoryLimitMib: {
    kind: 'figure',
    value: 2000,
    unit: 'MiB',
    what: "a bridge's memory limit (its request is 1000Mi, HPI's production figure)",
    source: { document: 'packages/jitsi-shard/src/values.ts', section: 'jvbWorkload: limits.memory 2000Mi' },
  },
  bridgePlannedUtilisation: {
    kind: 'figure',
    value: 0.75,
    unit: 'share of the bridge cores',
    what: 'the share of its cores a bridge is planned to use at peak',
    source: {
      assumption:
        'a 4-core bridge was already throttled at 3.5 cores (87.5 %, runs 1.1.1 and 1.1.2); a conference that grows on a full bridge cannot move, so a quarter is kept free',
    },
  },
  nodeReservedCores: {
    kind: 'figure',
    value: 1,
    unit: 'cores',
    what: 'cores a node keeps for the kubelet, the container runtime and its DaemonSets',
    source: {
      assumption: 'one core beside the bridge, as the state stacks’ media node has always had; IONOS publishes no allocatable figure',
    },
  },
  nodeReservedRamGb: {
    kind: 'figure',
    value: 2,
    unit: 'GB',
    what: 'memory a node keeps for the system and its DaemonSets (node exporter, log shipper)',
    source: {
      assumption: 'two GB beside the bridge, as the state stacks’ media node has always had; IONOS publishes no allocatable figure',
    },
  },
  mediaNodeCores: {
    kind: 'figure',
    value: 9,
    unit: 'cores',
    what: "cores of a media node: HPI's 8-core production bridge plus the node's reserved core (default of --node-cores and of a state's nodePools.media.cores)",
    source: {
      document: 'hpi-schul-cloud/jitsi-deployment, as quoted in platform-facts.md',
      section: 'Load figures: HPI production sizing, JVB 8 CPU / 1000Mi',
    },
  },
  mediaNodeRamGb: {
    kind: 'figure',
    value: 4,
    unit: 'GB',
    what: "RAM of a media node: the bridge's memory limit plus the node's reserved 2 GB, in whole GB (default of --node-ram-gb and of a state's nodePools.media.ramMb)",
    source: { document: 'packages/jitsi-shard/src/values.ts', section: 'jvbWorkload: limits.memory 2000Mi' },
  },
  mediaNodeStorageGb: {
    kind: 'figure',
    value: 50,
    unit: 'GB',
    what: 'SSD of a media node',
    source: { document: 'apps/infra/src/state-config.ts', section: 'mediaPoolSchema: storageGb default 50' },
  },
  bridgeCoresNodePort: {
    kind: 'figure',
    value: 8,
    unit: 'cores',
    what: "a bridge's CPU in nodePort mode, where several bridges share a node (default of --bridge-cores)",
    source: {
      document: 'hpi-schul-cloud/jitsi-deployment, as quoted in platform-facts.md',
      section: 'Load figures: HPI production sizing, JVB 8 CPU / 1000Mi',
    },
  },
  bitrate720pKbps: {
    kind: 'figure',
    value: 1500,
    unit: 'kbit/s',
    what: 'highest bitrate of the 720p (high) simulcast layer',
    source: { document: 'jitsi/jitsi-meet config.js', section: 'videoQuality.maxBitratesVideo, VP8 high' },
  },
  bitrate360pKbps: {
    kind: 'figure',
    value: 500,
    unit: 'kbit/s',
    what: 'highest bitrate of the 360p (standard) simulcast layer',
    source: { document: 'jitsi/jitsi-meet config.js', section: 'videoQuality.maxBitratesVideo, VP8 standard' },
  },
  bitrate180pKbps: {
    kind: 'figure',
    value: 200,
    unit: 'kbit/s',
    what: 'highest bitrate of the 180p (low) simulcast layer',
    source: { document: 'jitsi/jitsi-meet config.js', section: 'videoQuality.maxBitratesVideo, VP8 low' },
  },
  bitrateIndependentShare: {
    kind: 'figure',
    value: 0.3,
    unit: 'share',
    what: "the share of a participant's bridge load (CPU and traffic) that does not shrink with a lower video quality",
    source: {
      assumption:
        'every load test ran at 720p; below it the model scales the load with the layer bitrate, except for this share (audio, RTCP and bandwidth estimation, ICE and DTLS, the data channel): a guess on the safe side until a 360p or 180p run is measured',
    },
  },
  nicExternalMbps: {
    kind: 'figure',
    value: 2000,
    unit: 'Mbit/s',
    what: 'external throughput of an IONOS network interface ("up to 2 Gbps")',
    source: { document: 'docs.ionos.com, Compute Engine › Networks › Overview', section: 'Network Interface Cards: throughput, external' },
  },
  nicPlannedUtilisation: {
    kind: 'figure',
    value: 0.75,
    unit: 'share',
    what: 'the share of a node’s external throughput planned for at peak',
    source: { assumption: '"up to" is a best case; the same quarter of headroom as the bridges’ CPU' },
  },
  defaultConferenceSize: {
    kind: 'figure',
    value: 25,
    unit: 'participants',
    what: 'participants of one conference or meeting (default of --conference-size)',
    source: { assumption: 'a school class of about 24 pupils and its teacher' },
  },
  defaultLastN: {
    kind: 'figure',
    value: 5,
    unit: 'streams',
    what: 'channelLastN (default of --last-n)',
    source: {
      document: HPI_LOAD_TESTS,
      section: `${S112}: the setting HPI tested, with 24 participants still at high quality (jitsi-meet's own default is -1, unlimited)`,
    },
  },
  maxBridgesPerShard: {
    kind: 'figure',
    value: 100,
    unit: 'bridges',
    what: 'bridges one shard may run',
    source: {
      document: 'platform-facts.md (hpi-schul-cloud/jitsi-deployment)',
      section:
        'How HPI deployed it: bridge port base + ordinal, at most 100 bridges per shard (the jitsi-shard chart allows maxReplicas ≤ 100)',
    },
  },
  conferencesPerShard: {
    kind: 'figure',
    value: 100,
    unit: 'conferences',
    what: 'conferences one shard (one prosody, one jicofo) is planned for',
    source: {
      assumption:
        'no load figure for prosody or jicofo is published in the sources; prosody is single-threaded and carries every presence of a conference to all its occupants. Replace with a measurement (the day simulation of issue 17, or a prosody load test)',
    },
  },
  minShards: {
    kind: 'figure',
    value: 2,
    unit: 'shards',
    what: 'fewest shards of a state',
    source: {
      document: 'how-to-scale-jitsi-meet.md (blog.mi.hdm-stuttgart.de, 2021-03-11)',
      section: 'Sharded Jitsi Meet Instances: "additional servers for failover and rolling updates"; HPI ran two shards in production',
    },
  },
  offPeakShare: {
    kind: 'figure',
    value: 0.1,
    unit: 'share of the peak',
    what: 'load outside school hours, as a share of the peak (the autoscalers’ minimum)',
    source: {
      document: 'how-to-scale-jitsi-meet.md (blog.mi.hdm-stuttgart.de, 2021-03-11)',
      section: 'Autoscaling of Videobridges: "1.000 concurrent users mid-day, but only 100 in the evening"',
    },
  },

  // ---------------------------------------------------------------- BigBlueButton and Scalelite
  bbbUsersPerServer: {
    kind: 'figure',
    value: 200,
    unit: 'users',
    what: 'concurrent users of one BigBlueButton server',
    source: {
      document: 'platform-facts.md',
      section: "BigBlueButton and Scalelite: about 200 concurrent users per server, Scalelite's rule of thumb",
    },
  },
  bbbTargetUtilisation: {
    kind: 'figure',
    value: 0.75,
    unit: 'share',
    what: 'share of the running servers’ capacity the load may use before more start',
    source: { document: 'packages/bbb-autoscaling/src/policy.ts', section: 'autoscalingPolicy: targetUtilization default' },
  },
  bbbHeadroomServers: {
    kind: 'figure',
    value: 1,
    unit: 'servers',
    what: 'servers kept running beyond what the load needs',
    source: { document: 'packages/bbb-autoscaling/src/policy.ts', section: 'autoscalingPolicy: headroomServers default' },
  },
  bbbMinServers: {
    kind: 'figure',
    value: 1,
    unit: 'servers',
    what: 'servers that always run',
    source: { document: 'packages/bbb-autoscaling/src/policy.ts', section: 'autoscalingPolicy: minServers default' },
  },
  bbbServerStartMinutes: {
    kind: 'figure',
    value: 15,
    unit: 'minutes',
    what: 'time until a new BigBlueButton VM serves',
    source: {
      document: 'platform-facts.md',
      section: 'BigBlueButton and Scalelite: a new BBB VM takes about 15 minutes to install, so scale out early',
    },
  },
  scaleliteLoadMinUserCount: {
    kind: 'figure',
    value: 15,
    unit: 'users',
    what: 'the load a meeting counts at least while it is younger than the join buffer (LOAD_MIN_USER_COUNT)',
    source: {
      document: 'blindsidenetworks/scalelite lib/tasks/poll.rake (defaults as in platform-facts.md)',
      section: 'task poll:servers',
    },
  },
  scaleliteJoinBufferMinutes: {
    kind: 'figure',
    value: 15,
    unit: 'minutes',
    what: 'LOAD_JOIN_BUFFER_TIME: how long a new meeting counts at least LOAD_MIN_USER_COUNT',
    source: {
      document: 'blindsidenetworks/scalelite lib/tasks/poll.rake (defaults as in platform-facts.md)',
      section: 'task poll:servers',
    },
  },
  scaleliteLoadMultiplier: {
    kind: 'figure',
    value: 1,
    unit: 'factor',
    what: "a server's load_multiplier when none is set",
    source: { document: 'blindsidenetworks/scalelite lib/tasks/poll.rake', section: 'task poll:servers: load_multiplier nil → 1.0' },
  },
  moderatorsPerMeeting: {
    kind: 'figure',
    value: 1,
    unit: 'moderators',
    what: 'moderators of a meeting',
    source: { assumption: 'the teacher' },
  },
  bbbServerCores: {
    kind: 'figure',
    value: 8,
    unit: 'cores',
    what: 'cores of a BigBlueButton server',
    source: {
      document: 'apps/infra/src/bigbluebutton-config.ts',
      section: 'serversSchema.cores: "BigBlueButton recommends 8 or more" (HPI ran 2 cores / 12 GB, platform-facts.md)',
    },
  },
  bbbServerRamGb: {
    kind: 'figure',
    value: 16,
    unit: 'GB',
    what: 'RAM of a BigBlueButton server',
    source: { document: 'apps/infra/src/bigbluebutton-config.ts', section: 'serversSchema.ramMb: "BigBlueButton recommends 16384"' },
  },
  bbbServerDiskGb: {
    kind: 'figure',
    value: 50,
    unit: 'GB',
    what: 'system volume of a BigBlueButton server',
    source: { document: 'apps/infra/src/bigbluebutton-config.ts', section: 'BBB_SERVER_MINIMUM.diskGb' },
  },
  bbbEgressShareOfJitsi: {
    kind: 'figure',
    value: 1,
    unit: 'factor',
    what: 'egress of a BigBlueButton user, relative to a Jitsi participant in a conference of the same size, video quality and channelLastN',
    source: {
      assumption: 'no BigBlueButton traffic figure is in the sources; BigBlueButton forwards webcams through an SFU as a bridge does',
    },
  },

  // ---------------------------------------------------------------- TURN
  turnShare: {
    kind: 'figure',
    value: 0.1,
    unit: 'share of the Jitsi participants',
    what: 'participants whose network blocks UDP, so their media goes through TURN (default of --turn-share)',
    source: { assumption: 'not measured anywhere in the sources; school networks often block UDP (charts/coturn/README.md)' },
  },
  turnMinNodes: {
    kind: 'figure',
    value: 2,
    unit: 'nodes',
    what: 'fewest TURN nodes',
    source: { assumption: 'one may fail or be replaced while the other serves' },
  },
  turnNodeCores: {
    kind: 'figure',
    value: 4,
    unit: 'cores',
    what: 'cores of a TURN node',
    source: { assumption: 'coturn relays in one thread per core; the node’s network, not its CPU, is planned as the limit' },
  },
  turnNodeRamGb: {
    kind: 'figure',
    value: 8,
    unit: 'GB',
    what: 'RAM of a TURN node',
    source: { assumption: 'coturn itself asks for 64Mi (charts/coturn); the rest is the node’s own' },
  },
  turnNodeStorageGb: {
    kind: 'figure',
    value: 20,
    unit: 'GB',
    what: 'SSD of a TURN node',
    source: { assumption: 'the smallest node volume the state stacks take (apps/infra/src/state-config.ts: storageGb ≥ 20)' },
  },

  // ---------------------------------------------------------------- the system pool
  shardSignallingCores: {
    kind: 'figure',
    value: 0.4 + 0.4 + 0.3,
    unit: 'cores',
    what: 'CPU requests of one shard’s signalling: web 400m, jicofo 400m, prosody 300m',
    source: {
      document: 'platform-facts.md (hpi-schul-cloud/jitsi-deployment)',
      section: 'Load figures: HPI production sizing (the jitsi-shard chart’s defaults)',
    },
  },
  shardSignallingRamMib: {
    kind: 'figure',
    value: 300 + 400 + 300,
    unit: 'MiB',
    what: 'memory requests of one shard’s signalling: web 300Mi, jicofo 400Mi, prosody 300Mi',
    source: {
      document: 'platform-facts.md (hpi-schul-cloud/jitsi-deployment)',
      section: 'Load figures: HPI production sizing (the jitsi-shard chart’s defaults)',
    },
  },
  haproxyReplicas: {
    kind: 'figure',
    value: 2,
    unit: 'replicas',
    what: 'HAProxy replicas in front of the shards',
    source: { document: 'apps/infra/src/state-config.ts', section: 'jitsi.haproxyReplicas default' },
  },
  haproxyCores: {
    kind: 'figure',
    value: 0.1,
    unit: 'cores',
    what: 'CPU request of one HAProxy replica',
    source: { document: 'packages/haproxy/src/values.ts', section: 'resources.requests.cpu 100m' },
  },
  haproxyRamMib: {
    kind: 'figure',
    value: 128,
    unit: 'MiB',
    what: 'memory request of one HAProxy replica',
    source: { document: 'packages/haproxy/src/values.ts', section: 'resources.requests.memory 128Mi' },
  },
  loggingCores: {
    kind: 'figure',
    value: 3 * 0.5 + 2 * 2 + 0.2,
    unit: 'cores',
    what: 'CPU requests of the logging stack in its production layout: 3 Elasticsearch masters of 500m, 2 data nodes of 2, Kibana 200m',
    source: {
      document: 'apps/infra/src/logging-release.ts, packages/logging/src/values.ts',
      section: 'elasticsearchNodeSets (production), kibana resources',
    },
  },
  loggingRamGib: {
    kind: 'figure',
    value: 3 * 2 + 2 * 8 + 1,
    unit: 'GiB',
    what: 'memory requests of the logging stack in its production layout: 3 masters of 2Gi, 2 data nodes of 8Gi, Kibana 1Gi',
    source: {
      document: 'apps/infra/src/logging-release.ts, packages/logging/src/values.ts',
      section: 'elasticsearchNodeSets (production), kibana resources',
    },
  },
  monitoringAndAddonsCores: {
    kind: 'figure',
    value: 3,
    unit: 'cores',
    what: 'CPU of Prometheus, Alertmanager, Grafana, the operators, prometheus-adapter, Envoy Gateway and cert-manager',
    source: {
      assumption:
        'kube-prometheus-stack and the add-ons set no requests by default; sized like the logging stack’s masters and Kibana together',
    },
  },
  monitoringAndAddonsRamGib: {
    kind: 'figure',
    value: 12,
    unit: 'GiB',
    what: 'memory of the monitoring stack and the add-ons',
    source: { assumption: 'Prometheus’ memory grows with the series of every bridge; 8 GiB for it and 4 GiB for the rest' },
  },
  scaleliteCores: {
    kind: 'figure',
    value: 2 * (0.2 + 0.05) + 0.05 + 0.05 + 0.05,
    unit: 'cores',
    what: 'CPU requests of Scalelite (2 API replicas of 200m with nginx 50m, poller 50m, importer 50m) and the BigBlueButton autoscaler (50m)',
    source: { document: 'packages/scalelite/src/values.ts, packages/bbb-autoscaler-chart/src/values.ts', section: 'resources.requests' },
  },
  scaleliteRamGib: {
    kind: 'figure',
    value: (2 * (512 + 64) + 256 + 256 + 128) / 1024,
    unit: 'GiB',
    what: 'memory requests of Scalelite (2 × (512Mi + 64Mi), poller 256Mi, importer 256Mi) and the autoscaler (128Mi)',
    source: { document: 'packages/scalelite/src/values.ts, packages/bbb-autoscaler-chart/src/values.ts', section: 'resources.requests' },
  },
  systemNodeCores: {
    kind: 'figure',
    value: 8,
    unit: 'cores',
    what: 'cores of a system node (default of --system-node-cores)',
    source: { document: 'apps/infra/states/nordrhein-westfalen.ts', section: 'nodePools.system' },
  },
  systemNodeRamGb: {
    kind: 'figure',
    value: 32,
    unit: 'GB',
    what: 'RAM of a system node (default of --system-node-ram-gb)',
    source: { document: 'apps/infra/states/nordrhein-westfalen.ts', section: 'nodePools.system' },
  },
  systemNodeStorageGb: {
    kind: 'figure',
    value: 200,
    unit: 'GB',
    what: 'SSD of a system node',
    source: { document: 'apps/infra/states/nordrhein-westfalen.ts', section: 'nodePools.system' },
  },
  systemPlannedUtilisation: {
    kind: 'figure',
    value: 0.75,
    unit: 'share',
    what: 'the share of a system node’s allocatable resources the requests are planned to fill',
    source: { assumption: 'requests do not pack perfectly (an Elasticsearch data node of 8Gi needs one node with 8Gi free)' },
  },
  systemMinNodes: {
    kind: 'figure',
    value: 3,
    unit: 'nodes',
    what: 'fewest system nodes',
    source: { assumption: 'three Elasticsearch masters on three nodes keep a quorum when one node fails' },
  },
  systemSpareNodes: {
    kind: 'figure',
    value: 1,
    unit: 'nodes',
    what: 'system nodes the pool may add beyond what the requests need (its maxNodes)',
    source: { assumption: 'room to drain a node for an upgrade or replace a failed one' },
  },

  // ---------------------------------------------------------------- the month and the prices
  hoursPerMonth: {
    kind: 'figure',
    value: 730,
    unit: 'hours',
    what: 'hours of a month (8,760 / 12)',
    source: { assumption: 'an average month; IONOS bills by the hour' },
  },
  schoolDaysPerMonth: {
    kind: 'figure',
    value: 20,
    unit: 'days',
    what: 'school days of a month in term time',
    source: { assumption: 'five school days a week; holidays not deducted (the estimate is for a month in term)' },
  },
  peakHoursPerSchoolDay: {
    kind: 'figure',
    value: 6,
    unit: 'hours',
    what: 'hours a school day runs at the peak the state is sized for',
    source: { assumption: 'lessons from 08:00 to 14:00 at the peak, outside them the off-peak share' },
  },
  priceDedicatedCoreHour: {
    kind: 'figure',
    value: 0.04,
    unit: 'EUR per core and hour',
    what: 'a Dedicated Core (media, system and TURN nodes, BigBlueButton servers)',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c, fetched_at 2026-05-20, transcribed by hand from the IONOS page; not read from IONOS directly)',
    },
  },
  priceDedicatedRamGbHour: {
    kind: 'figure',
    value: 0.0045,
    unit: 'EUR per GB and hour',
    what: 'RAM of a Dedicated Core server',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c)',
    },
  },
  priceVcpuCoreHour: {
    kind: 'figure',
    value: 0.017,
    unit: 'EUR per vCPU and hour',
    what: 'a shared vCPU (not used by the model: every pool it sizes runs Dedicated Core servers)',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c)',
    },
  },
  priceVcpuRamGbHour: {
    kind: 'figure',
    value: 0.0025,
    unit: 'EUR per GB and hour',
    what: 'RAM of a vCPU server (not used by the model)',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c)',
    },
  },
  priceSsdGb30Days: {
    kind: 'figure',
    value: 0.15,
    unit: 'EUR per GB and 30 days',
    what: 'SSD Premium block storage (node volumes, which the stacks create as `SSD`; BigBlueButton system volumes)',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c)',
    },
  },
  priceHddGb30Days: {
    kind: 'figure',
    value: 0.04,
    unit: 'EUR per GB and 30 days',
    what: 'HDD block storage (not used by the model)',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c)',
    },
  },
  priceEgressGb: {
    kind: 'figure',
    value: 0.05,
    unit: 'EUR per GB',
    what: 'outbound traffic to the internet (inbound and internal traffic are free, docs.ionos.com FAQ "Account, administration, and accounting")',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c)',
    },
  },
  priceManagedKubernetes: {
    kind: 'figure',
    value: 0,
    unit: 'EUR per month',
    what: 'the Managed Kubernetes control plane (only the nodes are paid)',
    source: {
      url: 'https://cloud.ionos.de/managed-kubernetes',
      asOf: '2026-05-20',
      via: 'mixxor/eu-cloud-prices prices/ionos.json (commit 91f847c): control_plane_cost 0',
    },
  },
  priceIpAddressMonth: {
    kind: 'figure',
    value: null,
    unit: 'EUR per address and month',
    what: 'a reserved public IPv4 address (IP block)',
    source: {
      unsourced:
        'docs.ionos.com says reserved IPv4 addresses cost "a fee" but names none, and no price list found names one: the addresses are counted, not priced',
    },
  },
} as const satisfies Record<string, FigureEntry>;

/** The name of a figure. */
export type FigureName = keyof typeof FIGURES;

/** The scalar figures, by name. */
export type ScalarFigureName = { [K in FigureName]: (typeof FIGURES)[K] extends Figure ? K : never }[FigureName];

/** The load-test runs, by name. */
export type LoadTestRunName = { [K in FigureName]: (typeof FIGURES)[K] extends LoadTestRun ? K : never }[FigureName];

/** Every load-test run of the table, with its name. */
export function loadTestRuns(): Array<{ readonly name: LoadTestRunName; readonly run: LoadTestRun }> {
  return (Object.keys(FIGURES) as FigureName[]).flatMap((name) => {
    const entry: FigureEntry = FIGURES[name];
    return entry.kind === 'load-test' ? [{ name: name as LoadTestRunName, run: entry }] : [];
  });
}

/**
 * The value of a scalar figure.
 * @throws if the figure is unsourced (it has no value)
 */
export function figure(name: ScalarFigureName): number {
  const entry: Figure = FIGURES[name];
  if (entry.value === null) throw new Error(`the figure ${name} has no value: ${JSON.stringify(entry.source)}`);
  return entry.value;
}
