import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { figure } from '@meetscale/capacity';
import { OBJECT_STORAGE_ENDPOINTS } from '@meetscale/ionos-facts';
import { MEDIA_POOL_LABELS, SYSTEM_POOL_LABELS } from '@meetscale/placement';
import { Fn, S3Backend, TerraformElement, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct, Node } from 'constructs';

import { Ipblock } from '../generated/providers/ionoscloud/ipblock';
import { IonoscloudProvider } from '../generated/providers/ionoscloud/provider';
import { addonReleases } from './addon-releases';
import {
  BBB_AUTOSCALER_IONOS_SECRET,
  BBB_AUTOSCALER_TARGETS_URL,
  BBB_AUTOSCALER_TOKEN_VARIABLE,
  bbbAutoscalerRelease,
} from './bbb-autoscaler-release';
import { BbbServerPool } from './bbb-server-pool';
import type { ReleaseContext } from './helm-release-spec';
import { HelmReleases } from './helm-releases';
import { ManagedCluster } from './managed-cluster';
import { NFS_VERSION } from './managed-nfs';
import { MeetingDns } from './meeting-dns';
import { meetscaleReleases } from './meetscale-releases';
import { ObjectStorage, stateBucketName } from './object-storage';
import { BACKING_SERVICE_HOSTS, ScaleliteBackingServices } from './scalelite-backing-services';
import { BIGBLUEBUTTON_NAMESPACE, scaleliteRelease } from './scalelite-release';
import { STATE_BASE_RELEASE } from './state-base-releases';
import { ACME_SERVERS, type StateConfig } from './state-config';
import { StateDatacenter } from './state-datacenter';

/** The Terraform variable holding the Grafana admin password (set `TF_VAR_grafana_admin_password`). */
export const GRAFANA_PASSWORD_VARIABLE = 'grafana_admin_password';

/**
 * One federal state's meetscale installation on IONOS Cloud: data center and private LAN, a managed
 * Kubernetes cluster with a system and a media node pool, the DNS zone of the meetings, the state and
 * backup buckets (the state itself lives in the first, through the S3 backend), the cluster add-ons and the
 * meetscale charts. Instantiated once per `states/<state>.ts`.
 *
 * Secrets never enter the configuration: the IONOS provider reads `IONOS_TOKEN`, `IONOS_S3_ACCESS_KEY` and
 * `IONOS_S3_SECRET_KEY`, the S3 backend `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (the same Object
 * Storage key), and the Grafana password is the sensitive variable `grafana_admin_password`.
 */
export class MeetscaleStack extends TerraformStack {
  /** The validated configuration the stack was built from. */
  public readonly config: StateConfig;
  /** The managed cluster and its node pools. */
  public readonly cluster: ManagedCluster;
  /** The DNS zone. */
  public readonly dns: MeetingDns;
  /** The public host name of the meetings. */
  public readonly meetingHost: string;
  /** The cluster add-on releases. */
  public readonly addons: HelmReleases;
  /** The meetscale chart releases. */
  public readonly charts: HelmReleases;
  /** The public host name of the BigBlueButton API (Scalelite), when the state runs BigBlueButton. */
  public readonly bigBlueButtonHost?: string;
  /** Scalelite's backing services, when the state runs BigBlueButton. */
  public readonly scalelite?: ScaleliteBackingServices;
  /** The pool of BigBlueButton servers, when the state's configuration has `bigbluebutton.servers`. */
  public readonly bbbServerPool?: BbbServerPool;
  /** The public host name of Kibana, when the state runs logging. */
  public readonly kibanaHost?: string;

  constructor(scope: Construct, config: StateConfig) {
    super(scope, config.id);
    this.config = config;
    const name = `meetscale-${config.id}`;
    const region = config.objectStorage.region;

    new S3Backend(this, {
      bucket: stateBucketName(config.id),
      key: `${config.id}/terraform.tfstate`,
      region,
      endpoints: { s3: OBJECT_STORAGE_ENDPOINTS[region] },
      usePathStyle: true,
      skipCredentialsValidation: true,
      skipRegionValidation: true,
      skipRequestingAccountId: true,
      skipMetadataApiCheck: true,
      skipS3Checksum: true,
    });
    new IonoscloudProvider(this, 'ionoscloud', { s3Region: region });
    const grafanaAdminPassword = new TerraformVariable(this, GRAFANA_PASSWORD_VARIABLE, {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: 'Grafana admin password; set TF_VAR_grafana_admin_password, never commit it.',
    });

    const storage = new ObjectStorage(this, 'object-storage', {
      stateId: config.id,
      region,
      backupRetentionDays: config.objectStorage.backupRetentionDays,
    });
    const network = new StateDatacenter(this, 'network', {
      name,
      location: config.location,
      description: `meetscale for ${config.name}`,
    });

    this.cluster = new ManagedCluster(this, 'kubernetes', {
      name,
      kubernetesVersion: config.kubernetes.version,
      maintenanceWindow: config.kubernetes.maintenanceWindow,
      apiAllowList: config.kubernetes.apiAllowList,
      datacenter: network.datacenter,
      privateLan: network.privateLan,
    });
    const { system, media } = config.nodePools;
    this.cluster.addNodePool('system-pool', {
      name: `${name}-system`,
      cores: system.cores,
      ramMb: system.ramMb,
      storageGb: system.storageGb,
      minNodes: system.minNodes,
      maxNodes: system.maxNodes,
      availabilityZone: system.availabilityZone,
      maintenanceWindow: system.maintenanceWindow,
      labels: SYSTEM_POOL_LABELS,
    });
    const mediaPool = this.cluster.addNodePool('media-pool', {
      name: `${name}-media`,
      cores: media.cores,
      ramMb: media.ramMb,
      storageGb: media.storageGb,
      minNodes: media.minNodes,
      maxNodes: media.maxNodes,
      availabilityZone: media.availabilityZone,
      maintenanceWindow: media.maintenanceWindow,
      serverType: 'DedicatedCore',
      labels: MEDIA_POOL_LABELS,
      reservedPublicIpsIn: media.reservedPublicIps ? config.location : undefined,
    });

    const ingressIp = new Ipblock(this, 'ingress-ip', { name: `${name}-ingress`, location: config.location, size: 1 });
    const ingressAddress = Fn.element(ingressIp.ips, 0) as string;
    this.dns = new MeetingDns(this, 'dns', { domain: config.domain, description: `meetscale meetings of ${config.name}` });
    this.dns.addRecord({ name: config.meetingHost, type: 'A', content: ingressAddress });
    this.meetingHost = this.dns.fqdn(config.meetingHost);
    const bigbluebutton = config.bigbluebutton;
    if (bigbluebutton.enabled) {
      this.dns.addRecord({ name: bigbluebutton.host, type: 'A', content: ingressAddress });
      this.bigBlueButtonHost = this.dns.fqdn(bigbluebutton.host);
    }
    const logging = config.logging;
    if (logging.enabled) {
      this.dns.addRecord({ name: logging.host, type: 'A', content: ingressAddress });
      this.kibanaHost = this.dns.fqdn(logging.host);
    }

    new HelmProvider(this, 'helm', { kubernetes: this.cluster.kubernetesAccess });
    const context: ReleaseContext = {
      stateId: config.id,
      chartRegistry: config.charts.registry,
      meetingHost: this.meetingHost,
      ingressIp: ingressAddress,
      jitsiShards: config.jitsi.shards,
      haproxyReplicas: config.jitsi.haproxyReplicas,
      bridgeAutoscaling: config.jitsi.bridgeAutoscaling,
      bridgeCores: config.sizing.jitsi.bridgeCores,
      channelLastN: config.peakLoad.lastN === 'unlimited' ? -1 : config.peakLoad.lastN,
      targetBridgeStress: figure('bridgePlannedUtilisation'),
      mediaNodesMax: media.maxNodes,
      prometheusRetention: config.monitoring.retention,
      prometheusReplicas: config.monitoring.prometheusReplicas,
      alerting: config.monitoring.alerting,
      grafanaAdminPassword: grafanaAdminPassword.stringValue,
      acmeEmail: config.certificates.acmeEmail,
      acmeServer: ACME_SERVERS[config.certificates.acmeServer],
      ...(this.bigBlueButtonHost === undefined ? {} : { bigBlueButtonHost: this.bigBlueButtonHost }),
      ...(bigbluebutton.servers === undefined ? {} : { bigBlueButtonTargets: BBB_AUTOSCALER_TARGETS_URL }),
      ...(this.kibanaHost === undefined ? {} : { logging: { kibanaHost: this.kibanaHost, settings: logging } }),
    };
    this.addons = new HelmReleases(this, 'addons', {
      releases: addonReleases(context),
      dependsOn: this.cluster.nodePools.map((pool) => pool.pool),
    });
    this.charts = new HelmReleases(this, 'meetscale', { releases: meetscaleReleases(context), dependsOn: this.addons.releases });

    if (bigbluebutton.enabled) {
      // The passwords come from the random provider; the Kubernetes provider, which puts them into Secrets, reaches
      // the cluster exactly as the Helm provider does.
      new RandomProvider(this, 'random');
      const access = this.cluster.kubernetesAccess;
      new KubernetesProvider(this, 'kubernetes-api', {
        host: access.host,
        clusterCaCertificate: access.clusterCaCertificate,
        token: access.token,
      });
      this.scalelite = new ScaleliteBackingServices(this, 'bigbluebutton', {
        name,
        stateId: config.id,
        location: config.location,
        network,
        sizes: bigbluebutton.scalelite,
        maintenanceWindow: config.kubernetes.maintenanceWindow,
        namespace: BIGBLUEBUTTON_NAMESPACE,
        namespaceCreatedBy: [this.addons.release(STATE_BASE_RELEASE)],
      });
      if (bigbluebutton.servers !== undefined) {
        this.bbbServerPool = new BbbServerPool(this, 'bbb-pool', {
          name,
          stateId: config.id,
          location: config.location,
          network,
          dns: this.dns,
          config: bigbluebutton.servers,
          acmeEmail: config.certificates.acmeEmail,
          recordingsShare: {
            server: network.reservedAddress(BACKING_SERVICE_HOSTS.nfs).ip,
            path: this.scalelite.nfs.share.nfsPath,
            nfsVersion: NFS_VERSION,
          },
          namespace: BIGBLUEBUTTON_NAMESPACE,
          namespaceCreatedBy: [this.addons.release(STATE_BASE_RELEASE)],
        });
      }
      // Scalelite on them, once its Secrets and its claim exist and every add-on is in (the Gateway its route needs);
      // the autoscaler of the pool after it, with the IONOS token the operator gives the stack
      const backing = this.scalelite;
      const pool = this.bbbServerPool;
      const autoscaler =
        pool === undefined || bigbluebutton.servers === undefined
          ? undefined
          : {
              release: bbbAutoscalerRelease(context.chartRegistry, config.id, pool.description, bigbluebutton.servers),
              token: new SecretV1(this, 'bbb-autoscaler-ionos', {
                metadata: {
                  name: BBB_AUTOSCALER_IONOS_SECRET.existingSecret,
                  namespace: BIGBLUEBUTTON_NAMESPACE,
                  labels: { 'app.kubernetes.io/managed-by': 'terraform', 'meetscale.io/state': config.id },
                },
                type: 'Opaque',
                data: {
                  [BBB_AUTOSCALER_IONOS_SECRET.key]: new TerraformVariable(this, BBB_AUTOSCALER_TOKEN_VARIABLE, {
                    type: 'string',
                    sensitive: true,
                    nullable: false,
                    description:
                      'IONOS API token of the BigBlueButton autoscaler (a user that may start and stop the pool’s servers); set TF_VAR_bbb_autoscaler_ionos_token, never commit it.',
                  }).stringValue,
                },
                dependsOn: [this.addons.release(STATE_BASE_RELEASE)],
              }),
            };
      new HelmReleases(this, 'bigbluebutton-releases', {
        releases: [
          scaleliteRelease(context.chartRegistry, config.id, this.bigBlueButtonHost as string, backing.backends),
          ...(autoscaler === undefined ? [] : [autoscaler.release]),
        ],
        dependsOn: [
          ...this.addons.releases,
          ...backing.secrets,
          backing.recordingsClaim,
          ...(pool === undefined || autoscaler === undefined ? [] : [pool.secret, autoscaler.token]),
        ],
      });
    }

    new TerraformOutput(this, 'kubeconfig', {
      value: this.cluster.access.kubeConfig,
      sensitive: true,
      description: 'Kubeconfig of the cluster: terraform output -raw kubeconfig > kubeconfig.yaml',
    });
    new TerraformOutput(this, 'kubernetes_api_server', {
      value: Fn.nonsensitive(this.cluster.access.server),
      description: 'URL of the Kubernetes API server.',
    });
    new TerraformOutput(this, 'cluster_id', { value: this.cluster.cluster.id, description: 'IONOS id of the cluster.' });
    new TerraformOutput(this, 'ingress_ip', { value: ingressAddress, description: "Public IP of the Gateway's load balancer." });
    new TerraformOutput(this, 'meeting_url', { value: `https://${this.meetingHost}`, description: 'Where the meetings are served.' });
    if (this.kibanaHost !== undefined) {
      new TerraformOutput(this, 'kibana_url', { value: `https://${this.kibanaHost}`, description: "Kibana, the state's logs." });
    }
    new TerraformOutput(this, 'dns_nameservers', {
      value: this.dns.zone.nameservers,
      description: `Name servers to delegate ${config.domain} to.`,
    });
    if (this.bbbServerPool !== undefined) {
      new TerraformOutput(this, 'bigbluebutton_servers', {
        value: this.bbbServerPool.publicIps,
        description: 'Reserved public IPs of the BigBlueButton servers, by host name (for firewall allow-lists of school networks).',
      });
    }
    if (mediaPool.ipBlock !== undefined) {
      new TerraformOutput(this, 'media_public_ips', {
        value: mediaPool.ipBlock.ips,
        description: 'Reserved public IPs of the media nodes (for firewall allow-lists of school networks).',
      });
    }
    new TerraformOutput(this, 'sizing_input', {
      value: config.sizing.model.input,
      description:
        "The capacity model's input the state was sized from (peak load, conference size, video, lastN, node sizes): npm start's day simulation reads it from the stack.",
    });
    new TerraformOutput(this, 'object_storage', {
      value: {
        endpoint: OBJECT_STORAGE_ENDPOINTS[region],
        state_bucket: storage.stateBucket.name,
        backup_bucket: storage.backupBucket.name,
      },
      description: 'Object Storage endpoint and the state and backup buckets.',
    });
  }

  /** Readable Terraform addresses: the construct path below the stack, e.g. `kubernetes_media-pool_pool`. */
  protected override allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const path = node.scopes.slice(node.scopes.indexOf(this) + 1).map((scope) => scope.node.id);
    return path.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
  }
}
