import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Password } from '@cdktf/provider-random/lib/password';
import { Fn, type ITerraformDependable, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';

import { Ipblock } from '../generated/providers/ionoscloud/ipblock';
import { Lan } from '../generated/providers/ionoscloud/lan';
import { Nic } from '../generated/providers/ionoscloud/nic';
import { Server, type ServerNicFirewall } from '../generated/providers/ionoscloud/server';
import { bbbApiUrl, bbbCloudConfig, EXPORTER_PORTS, renderCloudConfig } from './bbb-cloud-config';
import type { BbbServerPoolConfig } from './bigbluebutton-config';
import type { MeetingDns } from './meeting-dns';
import type { StateDatacenter } from './state-datacenter';

/** The IONOS public image the servers boot: Ubuntu 22.04, the release BigBlueButton 3.0 runs on (an image alias). */
export const BBB_SERVER_IMAGE = 'ubuntu:22.04';

/** The Secret holding every server's shared secret, keyed by the server's fully qualified name (the autoscaler reads them so). */
export const BBB_SERVER_SECRETS = 'bigbluebutton-server-secrets';

/** What Terraform must leave alone on a server once created: its power state (the autoscaler's), and its user data. */
export const BBB_SERVER_IGNORED_CHANGES = ['vm_state', 'volume[0].user_data'] as const;

/** A port or port range a server admits, and from where. */
export interface BbbFirewallRule {
  /** Rule name in IONOS. */
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly portRangeStart: number;
  readonly portRangeEnd: number;
  /** IPv4 CIDR block of the sources; every source when undefined. */
  readonly sourceIp?: string;
}

/**
 * The ports a BigBlueButton 3.0 server installed by `bbb-install.sh` (built-in TURN server) needs, and the exporters':
 * SSH from the admin networks, HTTP (Let's Encrypt, redirect) and HTTPS (the API, the client, TURN over TLS through the
 * server's HAProxy), the media's UDP range, the TURN server's UDP port that bbb-install announces
 * (`turn:<host>:3478`, for Firefox), and the two exporters from the monitoring networks only.
 */
export function bbbFirewallRules(config: Pick<BbbServerPoolConfig, 'adminCidrs' | 'monitoringCidrs'>): BbbFirewallRule[] {
  const port = (name: string, protocol: 'TCP' | 'UDP', start: number, end = start) => ({
    name,
    protocol,
    portRangeStart: start,
    portRangeEnd: end,
  });
  return [
    ...config.adminCidrs.map((cidr) => ({ ...port('ssh', 'TCP', 22), sourceIp: cidr })),
    port('http', 'TCP', 80),
    port('https', 'TCP', 443),
    port('media', 'UDP', 16384, 32768),
    port('turn', 'UDP', 3478),
    ...config.monitoringCidrs.flatMap((cidr) => [
      { ...port('node-exporter', 'TCP', EXPORTER_PORTS.nodeExporter), sourceIp: cidr },
      { ...port('bigbluebutton-exporter', 'TCP', EXPORTER_PORTS.bigbluebuttonExporter), sourceIp: cidr },
    ]),
  ];
}

/** One server of the pool, as the autoscaler's release needs it. Values are Terraform expressions where computed. */
export interface BbbPoolServer {
  /** Host name and IONOS server name, e.g. `bbb-01`; also its key in {@link BbbServerPoolDescription.secret}. */
  readonly name: string;
  /** Fully qualified name, e.g. `bbb-01.bremen.meetscale.example`. */
  readonly fqdn: string;
  /** IONOS server id (a Terraform expression). */
  readonly serverId: string;
  /** BigBlueButton API URL, `https://<fqdn>/bigbluebutton/api/`. */
  readonly apiUrl: string;
}

/** The pool, for the autoscaler's release: where the servers are and where their secrets are. */
export interface BbbServerPoolDescription {
  /** IONOS data center id of the servers (a Terraform expression). */
  readonly datacenterId: string;
  /** The servers, `<prefix>-01` first. */
  readonly servers: readonly BbbPoolServer[];
  /** The Kubernetes Secret holding each server's shared secret under the key {@link BbbPoolServer.fqdn}. */
  readonly secret: { readonly name: string; readonly namespace: string };
}

/** Properties of {@link BbbServerPool}. */
export interface BbbServerPoolProps {
  /** The prefix of IONOS names, e.g. `meetscale-bremen`. */
  readonly name: string;
  /** The state's id, for labels. */
  readonly stateId: string;
  /** IONOS location of the reserved IPs (the data center's). */
  readonly location: string;
  /** The state's data center, and its private LAN, where the recordings share is. */
  readonly network: StateDatacenter;
  /** The state's zone, which gets an A record per server. */
  readonly dns: MeetingDns;
  /** The pool's configuration. */
  readonly config: BbbServerPoolConfig;
  /** The Let's Encrypt account's e-mail address, for the servers' certificates. */
  readonly acmeEmail: string;
  /** The recordings share: its server's address in the private LAN, its export path and NFS version. */
  readonly recordingsShare: { readonly server: string; readonly path: string; readonly nfsVersion: string };
  /** The namespace of the Scalelite release, where the Secret of the servers' secrets goes. */
  readonly namespace: string;
  /** What creates {@link BbbServerPoolProps.namespace}; the Secret waits for it. */
  readonly namespaceCreatedBy: readonly ITerraformDependable[];
}

/**
 * A state's pool of BigBlueButton 3.0 VMs: `count` servers `<prefix>-01`... in the state's data center, each with a
 * reserved public IP (kept while the VM is stopped), an A record in the state's zone, a NIC in a public LAN of the
 * pool whose IONOS firewall admits exactly {@link bbbFirewallRules}, a NIC in the private LAN (the recordings share;
 * its firewall admits nothing), and the unattended installation of `bbb-cloud-config.ts`. The stack owns the VMs;
 * the autoscaler powers them on and off, and Terraform ignores their power state. Each server's shared secret is
 * generated here and handed to the cluster in one Secret. Needs the `random` and `kubernetes` providers.
 */
export class BbbServerPool extends Construct {
  /** The servers, `<prefix>-01` first. */
  public readonly servers: readonly Server[];
  /** The Secret of the servers' shared secrets. */
  public readonly secret: SecretV1;
  /** The public LAN of the servers. */
  public readonly publicLan: Lan;
  /** The description for the autoscaler's release. */
  public readonly description: BbbServerPoolDescription;
  /** Each server's reserved public IP (Terraform expressions), by host name. */
  public readonly publicIps: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: BbbServerPoolProps) {
    super(scope, id);
    const { config, network } = props;
    const datacenterId = network.datacenter.id;
    this.publicLan = new Lan(this, 'public-lan', { datacenterId, name: `${props.name}-bbb-public`, public: true });
    const firewall: ServerNicFirewall[] = bbbFirewallRules(config).map((rule) => ({ ...rule, type: 'INGRESS' }));
    const digits = Math.max(2, String(config.count).length);

    const servers: Server[] = [];
    const described: BbbPoolServer[] = [];
    const secrets: Record<string, string> = {};
    const publicIps: Record<string, string> = {};
    for (let index = 1; index <= config.count; index += 1) {
      const host = `${config.hostPrefix}-${String(index).padStart(digits, '0')}`;
      const fqdn = props.dns.fqdn(host);
      const ipBlock = new Ipblock(this, `${host}-ip`, { name: `${props.name}-${host}`, location: props.location, size: 1 });
      const publicIp = Fn.element(ipBlock.ips, 0) as string;
      const record = props.dns.addRecord({ name: host, type: 'A', content: publicIp });
      const secret = new Password(this, `${host}-secret`, { length: 40, special: false });
      // the console password of the image's root user (IONOS wants a password or a key for a public image); SSH
      // takes keys only (cloud-init's ssh_pwauth: false)
      const rootPassword = new Password(this, `${host}-root-password`, { length: 40, special: false });
      // a local value: Terraform reads it as a template (its expressions substituted, the rest verbatim), which a
      // string literal inside a function call would not keep (cdktf escapes neither quotes nor backslashes there)
      const userData = new TerraformLocal(
        this,
        `${host}-user-data`,
        renderCloudConfig(
          bbbCloudConfig({
            host,
            fqdn,
            publicIp,
            acmeEmail: props.acmeEmail,
            secret: secret.result,
            nfsServer: props.recordingsShare.server,
            nfsPath: props.recordingsShare.path,
            nfsVersion: props.recordingsShare.nfsVersion,
            sshKeys: config.sshKeys,
          }),
        ),
      );
      const server = new Server(this, host, {
        datacenterId,
        name: host,
        hostname: host,
        type: 'ENTERPRISE',
        cores: config.cores,
        ram: config.ramMb,
        ...(config.cpuFamily === undefined ? {} : { cpuFamily: config.cpuFamily }),
        imageName: BBB_SERVER_IMAGE,
        imagePassword: rootPassword.result,
        volume: { name: `${host}-system`, diskType: 'SSD Standard', size: config.diskGb, userData: Fn.base64encode(userData.asString) },
        nic: {
          name: `${host}-public`,
          lan: Token.asNumber(this.publicLan.id),
          dhcp: true,
          ips: [publicIp],
          firewallActive: true,
          firewallType: 'INGRESS',
          firewall,
        },
        label: [
          { key: 'meetscale.io/state', value: props.stateId },
          { key: 'meetscale.io/role', value: 'bigbluebutton' },
        ],
        // Let's Encrypt answers bbb-install.sh only once the name resolves
        dependsOn: [record],
        lifecycle: { ignoreChanges: [...BBB_SERVER_IGNORED_CHANGES] },
      });
      new Nic(this, `${host}-private-nic`, {
        datacenterId,
        serverId: server.id,
        name: `${host}-private`,
        lan: Token.asNumber(network.privateLan.id),
        dhcp: true,
        firewallActive: true,
        firewallType: 'INGRESS',
      });
      servers.push(server);
      described.push({ name: host, fqdn, serverId: server.id, apiUrl: bbbApiUrl(fqdn) });
      secrets[fqdn] = secret.result;
      publicIps[host] = publicIp;
    }
    this.servers = servers;
    this.publicIps = publicIps;

    this.secret = new SecretV1(this, 'secrets', {
      metadata: {
        name: BBB_SERVER_SECRETS,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'terraform', 'meetscale.io/state': props.stateId },
      },
      type: 'Opaque',
      data: secrets,
      dependsOn: [...props.namespaceCreatedBy],
    });
    this.description = {
      datacenterId,
      servers: described,
      secret: { name: BBB_SERVER_SECRETS, namespace: props.namespace },
    };
  }
}
