import type { StateLogging } from './logging-config';
import type { StateAlerting } from './state-config';
/** Helm values: any YAML-serialisable object (Terraform expressions allowed in strings). */
export type HelmValues = object;

/** One Helm release, as the release lists describe it and {@link HelmReleases} installs it. */
export interface HelmReleaseSpec {
  /** Release name, unique in the stack; other releases name it in `after`. */
  readonly name: string;
  /** Chart name. */
  readonly chart: string;
  /** Chart repository: an HTTPS Helm repository or an `oci://` registry. */
  readonly repository: string;
  /** Exact chart version. */
  readonly version: string;
  /** Namespace, created when missing. */
  readonly namespace: string;
  /** Values, serialised to YAML. */
  readonly values: HelmValues;
  /**
   * Values set from secrets (Helm `--set` paths to Terraform expressions), hidden in plans.
   * @default - none
   */
  readonly sensitiveValues?: Readonly<Record<string, string>>;
  /**
   * Releases of the same list to install first (e.g. the one that brings the CRDs this one uses).
   * @default - none
   */
  readonly after?: readonly string[];
  /**
   * Adopt objects of the chart that exist already but belong to no release (CRDs a former chart installed, say).
   * @default false
   */
  readonly takeOwnership?: boolean;
  /**
   * Seconds Helm waits for the release's resources and hooks to become ready before it rolls the release back.
   * @default 900
   */
  readonly timeoutSeconds?: number;
}

/** What the release lists are computed from. */
export interface ReleaseContext {
  /** The state's id. */
  readonly stateId: string;
  /** The OCI registry the meetscale charts are installed from (the state's `charts.registry`). */
  readonly chartRegistry: string;
  /** The public host name of the meetings, e.g. `meet.bremen.meetscale.example`. */
  readonly meetingHost: string;
  /**
   * The reserved public IP of the load balancer in front of the Gateway's Envoy proxies (a Terraform expression);
   * the state-base chart's EnvoyProxy claims it for the proxies' Service.
   */
  readonly ingressIp: string;
  /** Jitsi shards behind HAProxy. */
  readonly jitsiShards: number;
  /** HAProxy replicas. */
  readonly haproxyReplicas: number;
  /** The bounds of each shard's bridge autoscaler (HPA), from the state's sizing (`state-sizing.ts`). */
  readonly bridgeAutoscaling: { readonly minReplicas: number; readonly maxReplicas: number };
  /** Cores of one bridge: its CPU request and limit (in `hostPort` mode a media node's cores but the node's own). */
  readonly bridgeCores: number;
  /** `channelLastN` the clients get (the state's `peakLoad.lastN`, which the sizing assumes); `-1`: unlimited. */
  readonly channelLastN: number;
  /**
   * The average bridge stress each shard's autoscaler aims at: the share of its cores the sizing plans a bridge to
   * use at peak (the capacity model's `bridgePlannedUtilisation`), so the autoscaler adds bridges where the sizing did.
   */
  readonly targetBridgeStress: number;
  /** Most media nodes the node-pool autoscaler adds, shared by the shards. */
  readonly mediaNodesMax: number;
  /** How long Prometheus keeps samples, e.g. `15d`. */
  readonly prometheusRetention: string;
  /** Prometheus replicas. */
  readonly prometheusReplicas: number;
  /** Who is told of alerts (the state's `monitoring.alerting`); none: Alertmanager keeps its default configuration. */
  readonly alerting?: StateAlerting;
  /** The Grafana admin password (a Terraform expression of a sensitive variable). */
  readonly grafanaAdminPassword: string;
  /** Contact e-mail of the ClusterIssuer's ACME account. */
  readonly acmeEmail: string;
  /** Directory URL of the ACME server the ClusterIssuer registers with, e.g. Let's Encrypt production. */
  readonly acmeServer: string;
  /**
   * The public host name of the BigBlueButton API (Scalelite), e.g. `bbb.bremen.meetscale.example`, when the state
   * runs BigBlueButton: the Gateway serves it too, and the state-base release creates Scalelite's namespace.
   * @default - the state runs no BigBlueButton
   */
  readonly bigBlueButtonHost?: string;
  /**
   * The URL of the BigBlueButton autoscaler's HTTP service discovery, when the state has a server pool: Prometheus
   * scrapes the servers that run through it.
   * @default - no pool: no BigBlueButton servers to scrape
   */
  readonly bigBlueButtonTargets?: string;
  /**
   * The state's logging (its `logging` section) and the public host name of Kibana, e.g. `logs.bremen.meetscale.example`,
   * when the state runs logging: the Gateway serves the host too, and the state-base release creates the namespace.
   * @default - the state runs no logging
   */
  readonly logging?: { readonly kibanaHost: string; readonly settings: StateLogging };
}
