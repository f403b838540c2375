import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { METRIC_CATALOG } from '@meetscale/metric-catalog';
import { stringify } from 'yaml';

/**
 * The unattended installation of a BigBlueButton 3.0 server of a state's pool: the `#cloud-config` document its
 * system volume boots with (IONOS `user_data`). It writes the server's settings and the static files of
 * [`bbb-server/`](bbb-server/) and runs `bbb-server/setup.sh` once, which installs BigBlueButton with
 * `bbb-install.sh`, sets the server's shared secret, installs Scalelite's post-publish hook onto the recordings share
 * and the two exporters. The document is a typed object serialized with `yaml`.
 */

/**
 * `bbb-install.sh` for BigBlueButton 3.0 (`-v jammy-300`, Ubuntu 22.04). bbb-install has no release tags: 3.0 lives on
 * its branch `v3.0.x-release`, whose head at the commit below (2024-02-23, "Merge pull request #732 from
 * antobinary/backports") is the newest read for this pin (github.com/bigbluebutton/bbb-install); the SHA-256 is of
 * `bbb-install.sh` at that commit. `jammy-300` installs the newest BigBlueButton 3.0.x packages of
 * packages.bigbluebutton.org at install time: the script is pinned, the 3.0 patch release is not.
 */
export const BBB_INSTALL = {
  version: 'jammy-300',
  commit: '26ce2d16c2a82ef962d685525b0c20bb89d4d151',
  sha256: '9654ba2c4470b7e4a986c1bbf98544c7b3bf509314f1e8b217c7ef8e029186c2',
} as const;

/**
 * Scalelite's post-publish hook `bigbluebutton/scalelite_post_publish.rb` at Scalelite's release v1.8.5 (the
 * release the scalelite chart runs; the file last changed in 2023), and its SHA-256 at that tag.
 */
export const SCALELITE_POST_PUBLISH = {
  tag: 'v1.8.5',
  sha256: '29f8980e917e83b3d432d9ab4521407abb48bc6ca7055b888ea56eea6e031616',
} as const;

/**
 * The SHA-256 of node_exporter's `linux-amd64` release archive, by version (the release's `sha256sums.txt`). The version
 * installed is the one the monitoring chart's metric catalog was taken from; moving that pin needs its checksum here.
 */
export const NODE_EXPORTER_SHA256: Readonly<Record<string, string>> = {
  '1.12.1': 'b51d8a76aa2a9156a55d501aca6276fae09e262259a5e4e831d2c2222f084e63',
};

/** The exporters' versions on the servers: those of `@meetscale/metric-catalog`, which the monitoring chart's rules name. */
export const EXPORTER_VERSIONS = {
  nodeExporter: METRIC_CATALOG['node-exporter'].release.replace(/^v/, ''),
  /** greenstatic/bigbluebutton-exporter's release tag, also its Docker image tag. */
  bigbluebuttonExporter: METRIC_CATALOG['bigbluebutton-exporter'].release,
} as const;

/**
 * The ports Prometheus scrapes on each server, over TLS with the server's certificate (the monitoring chart's
 * `bigbluebutton.nodeExporterPort` and `bigbluebutton.exporterPort` defaults, scheme `https`).
 */
export const EXPORTER_PORTS = { nodeExporter: 9100, bigbluebuttonExporter: 9688 } as const;

/** Where the servers mount the recordings share (Scalelite's docs/sharedvolume-README.md). */
export const RECORDINGS_MOUNT = '/mnt/scalelite-recordings';

/** The group that may write the recordings share on the servers: Scalelite's `scalelite-spool`. */
export const SCALELITE_SPOOL_GROUP = { name: 'scalelite-spool', gid: 2000 } as const;

/** The settings file `setup.sh` reads. */
const SETTINGS_FILE = '/etc/meetscale/bbb-server.env';

/** The static files of the servers, next to this module. */
const FILES_DIR = join(__dirname, 'bbb-server');

/** A static file of `bbb-server/`. */
export function bbbServerFile(name: string): string {
  return readFileSync(join(FILES_DIR, name), 'utf8');
}

/** An entry of cloud-init's `write_files`. */
export interface CloudConfigFile {
  readonly path: string;
  readonly content: string;
  readonly owner?: string;
  /** Octal mode as a string, e.g. `'0600'`. */
  readonly permissions: string;
  readonly defer?: boolean;
}

/** The part of cloud-init's cloud-config schema the servers use (keys as cloud-init spells them). */
export interface CloudConfig {
  readonly hostname: string;
  readonly fqdn: string;
  readonly prefer_fqdn_over_hostname: boolean;
  readonly manage_etc_hosts: boolean;
  readonly ssh_pwauth: boolean;
  readonly ssh_authorized_keys?: readonly string[];
  readonly package_update: boolean;
  readonly packages: readonly string[];
  readonly write_files: readonly CloudConfigFile[];
  /** fstab entries: spec, mount point, type, options, dump, pass. */
  readonly mounts: ReadonlyArray<readonly [string, string, string, string, string, string]>;
  readonly runcmd: ReadonlyArray<readonly string[]>;
}

/** What one server's installation is computed from. Values may be Terraform expressions. */
export interface BbbCloudConfigProps {
  /** The server's host name, e.g. `bbb-01`. */
  readonly host: string;
  /** Its fully qualified name, e.g. `bbb-01.bremen.meetscale.example`. */
  readonly fqdn: string;
  /** Its reserved public IPv4 address, which its name must resolve to before Let's Encrypt is asked. */
  readonly publicIp: string;
  /** The Let's Encrypt account's e-mail address. */
  readonly acmeEmail: string;
  /** The server's BigBlueButton shared secret (letters and digits). */
  readonly secret: string;
  /** The NFS server of the recordings share (its address in the private LAN). */
  readonly nfsServer: string;
  /** The share's export path. */
  readonly nfsPath: string;
  /** The NFS version to mount with. */
  readonly nfsVersion: string;
  /** SSH public keys for the default user. */
  readonly sshKeys: readonly string[];
}

/** A value of the settings file: single-quoted; nothing in it may end the quotes or start an expansion. */
function _settingsValue(key: string, value: string): string {
  if (/['\n\\]/.test(value)) throw new Error(`the setting ${key} ${JSON.stringify(value)} holds a quote, backslash or newline`);
  return `'${value}'`;
}

/** The settings `setup.sh` and the exporter's unit read, as `KEY='value'` lines (bash and systemd both read them). */
export function bbbServerSettings(props: BbbCloudConfigProps): string {
  const settings: Record<string, string> = {
    HOST: props.host,
    FQDN: props.fqdn,
    PUBLIC_IP: props.publicIp,
    ACME_EMAIL: props.acmeEmail,
    BBB_SECRET: props.secret,
    BBB_API_URL: bbbApiUrl(props.fqdn),
    BBB_INSTALL_VERSION: BBB_INSTALL.version,
    BBB_INSTALL_COMMIT: BBB_INSTALL.commit,
    BBB_INSTALL_SHA256: BBB_INSTALL.sha256,
    RECORDINGS_MOUNT,
    SCALELITE_TAG: SCALELITE_POST_PUBLISH.tag,
    SCALELITE_POST_PUBLISH_SHA256: SCALELITE_POST_PUBLISH.sha256,
    SCALELITE_SPOOL_GID: String(SCALELITE_SPOOL_GROUP.gid),
    NODE_EXPORTER_VERSION: EXPORTER_VERSIONS.nodeExporter,
    NODE_EXPORTER_SHA256: nodeExporterSha256(),
    NODE_EXPORTER_PORT: String(EXPORTER_PORTS.nodeExporter),
    BBB_EXPORTER_IMAGE: `greenstatic/bigbluebutton-exporter:${EXPORTER_VERSIONS.bigbluebuttonExporter}`,
    BBB_EXPORTER_PORT: String(EXPORTER_PORTS.bigbluebuttonExporter),
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${_settingsValue(key, value)}\n`)
    .join('');
}

/** The SHA-256 of the node_exporter archive the servers install. @throws if the catalog's version has none here */
export function nodeExporterSha256(): string {
  const sha256 = NODE_EXPORTER_SHA256[EXPORTER_VERSIONS.nodeExporter];
  if (sha256 === undefined) {
    throw new Error(`no SHA-256 of node_exporter ${EXPORTER_VERSIONS.nodeExporter} (the metric catalog's version) in NODE_EXPORTER_SHA256`);
  }
  return sha256;
}

/** A server's BigBlueButton API URL, as Scalelite and bigbluebutton-exporter take it (ending `/api/`). */
export function bbbApiUrl(fqdn: string): string {
  return `https://${fqdn}/bigbluebutton/api/`;
}

/** Scalelite's `scalelite.yml` for the post-publish hook: the spool folder of the mounted share. */
function _scaleliteHookSettings(): string {
  return stringify({
    work_dir: '/var/bigbluebutton/recording/scalelite',
    spool_dir: `${RECORDINGS_MOUNT}/spool`,
    // the importer (UID 1000, group 2000) reads and removes the archive; the group may too
    extra_rsync_opts: ['--chmod=F664'],
    delete_recording: false,
  });
}

/**
 * The netplan configuration of the NICs beyond the first: DHCP, no default route or DNS from them. The NIC in the
 * private LAN is attached after the server boots, so cloud-init's own network configuration does not name it.
 */
function _secondaryNicsNetplan(): string {
  return stringify({
    network: {
      version: 2,
      ethernets: {
        'meetscale-secondary': {
          match: { name: 'e*' },
          dhcp4: true,
          'dhcp4-overrides': { 'use-routes': false, 'use-dns': false },
          optional: true,
        },
      },
    },
  });
}

/** The `#cloud-config` document of one server. */
export function bbbCloudConfig(props: BbbCloudConfigProps): CloudConfig {
  return {
    hostname: props.host,
    fqdn: props.fqdn,
    prefer_fqdn_over_hostname: false,
    // the server's name must resolve to its public address, also on the server (bbb-install.sh, the exporter)
    manage_etc_hosts: false,
    ssh_pwauth: false,
    ...(props.sshKeys.length > 0 ? { ssh_authorized_keys: [...props.sshKeys] } : {}),
    package_update: true,
    packages: ['curl', 'ca-certificates', 'nfs-common'],
    write_files: [
      { path: SETTINGS_FILE, content: bbbServerSettings(props), owner: 'root:root', permissions: '0600' },
      { path: '/etc/meetscale/scalelite.yml', content: _scaleliteHookSettings(), owner: 'root:root', permissions: '0644' },
      { path: '/etc/netplan/60-meetscale-secondary.yaml', content: _secondaryNicsNetplan(), owner: 'root:root', permissions: '0600' },
      { path: '/usr/local/sbin/meetscale-bbb-setup', content: bbbServerFile('setup.sh'), owner: 'root:root', permissions: '0700' },
      {
        path: '/etc/systemd/system/node-exporter.service',
        content: bbbServerFile('node-exporter.service'),
        owner: 'root:root',
        permissions: '0644',
      },
      {
        path: '/etc/systemd/system/bigbluebutton-exporter.service',
        content: bbbServerFile('bigbluebutton-exporter.service'),
        owner: 'root:root',
        permissions: '0644',
      },
    ],
    mounts: [
      [`${props.nfsServer}:${props.nfsPath}`, RECORDINGS_MOUNT, 'nfs4', `nfsvers=${props.nfsVersion},_netdev,nofail,noatime`, '0', '0'],
    ],
    runcmd: [['/usr/local/sbin/meetscale-bbb-setup']],
  };
}

/** The user data text: `#cloud-config` and the document, without line folding (a long value stays one line). */
export function renderCloudConfig(config: CloudConfig): string {
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
