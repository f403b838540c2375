import './_bindings';

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import {
  BBB_INSTALL,
  bbbCloudConfig,
  type BbbCloudConfigProps,
  bbbServerSettings,
  EXPORTER_PORTS,
  EXPORTER_VERSIONS,
  NODE_EXPORTER_SHA256,
  renderCloudConfig,
  SCALELITE_POST_PUBLISH,
} from '../src/bbb-cloud-config';
import { bigBlueButtonPoolConfig, synthesize } from './_stacks';
import { thrownBy } from './_thrown';

/** Debian's cloud-init (tools/system-deps/debian-packages.txt). */
const CLOUD_INIT = '/usr/bin/cloud-init';

const FILES_DIR = join(__dirname, '..', 'src', 'bbb-server');

/** A server's installation with the values Terraform substitutes in the stack. */
const PROPS: BbbCloudConfigProps = {
  host: 'bbb-01',
  fqdn: 'bbb-01.bremen.meetscale.example',
  publicIp: '192.0.2.21',
  acmeEmail: 'platform@bremen.meetscale.example',
  secret: 'Q2xhc3Nyb29tU2VjcmV0MDEyMzQ1Njc4OWFiY2Rl',
  nfsServer: '10.7.222.5',
  nfsPath: '/ff6b3c1f-8e7a-4d42-9d0c-3b8f3f4f1a11/recordings',
  nfsVersion: '4.2',
  sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBremenPlatformTeamKeyForTestsOnly000000 platform@bremen'],
};

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bbb-cloud-config-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `cloud-init schema --config-file` on a document: its exit status and what it printed. */
function cloudInitSchema(name: string, text: string): { status: number | null; output: string } {
  const file = join(dir, name);
  writeFileSync(file, text);
  const result = spawnSync(CLOUD_INIT, ['schema', '--config-file', file], { encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("a BigBlueButton server's cloud-config", () => {
  test("is valid by Debian's cloud-init schema", () => {
    // GIVEN the document of a server / WHEN cloud-init checks it
    const result = cloudInitSchema('server.yaml', renderCloudConfig(bbbCloudConfig(PROPS)));

    // THEN
    expect(result.output).toContain('Valid cloud-config');
    expect(result.status).toBe(0);
  });

  test("is valid as the stack writes it, once Terraform has put in the IP, the secret and the share's address", () => {
    // GIVEN the user data of a synthesized stack's server, a Terraform template
    const locals = (synthesize(bigBlueButtonPoolConfig({ count: 1 })).json as unknown as { locals: Record<string, string> }).locals;
    const template = locals['bbb-pool_bbb-01-user-data'] ?? '';
    expect(template.match(/\$\{[^}]*\}/g)).toHaveLength(4);

    // WHEN its four expressions are replaced by values of their kind and cloud-init checks it
    const text = template
      .replace(/\$\{element\(ionoscloud_ipblock[^}]*\}/g, '192.0.2.21')
      .replace(/\$\{random_password[^}]*\}/g, PROPS.secret)
      .replace(/\$\{cidrhost[^}]*\}/g, '10.7.222.5')
      .replace(/\$\{ionoscloud_nfs_share[^}]*\}/g, '/ff6b3c1f/recordings');
    const result = cloudInitSchema('stack.yaml', text);

    // THEN
    expect(result.output).toContain('Valid cloud-config');
    expect(result.status).toBe(0);
  });

  test('would be refused by the same check if it were broken (the check can fail)', () => {
    // GIVEN the document with runcmd as a string and a file without its path
    const document = bbbCloudConfig(PROPS) as unknown as Record<string, any>;
    const broken = { ...document, runcmd: 42, write_files: [{ content: 'x', permissions: '0600' }] };

    // WHEN / THEN
    const result = cloudInitSchema('broken.yaml', `#cloud-config\n${JSON.stringify(broken)}`);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("runcmd: 42 is not of type 'array'");
    expect(result.output).toContain("write_files.0: 'path' is a required property");
  });

  test('names the server, mounts the recordings share, writes its settings and files, and runs the setup once', () => {
    // GIVEN / WHEN the document, parsed back
    const text = renderCloudConfig(bbbCloudConfig(PROPS));
    const document = parse(text) as Record<string, any>;

    // THEN
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(document).toMatchObject({
      hostname: 'bbb-01',
      fqdn: 'bbb-01.bremen.meetscale.example',
      ssh_pwauth: false,
      ssh_authorized_keys: PROPS.sshKeys,
      packages: expect.arrayContaining(['nfs-common']),
      mounts: [
        [
          '10.7.222.5:/ff6b3c1f-8e7a-4d42-9d0c-3b8f3f4f1a11/recordings',
          '/mnt/scalelite-recordings',
          'nfs4',
          'nfsvers=4.2,_netdev,nofail,noatime',
          '0',
          '0',
        ],
      ],
      runcmd: [['/usr/local/sbin/meetscale-bbb-setup']],
    });
    const files = Object.fromEntries(
      (document['write_files'] as Array<{ path: string; content: string; permissions: string }>).map((file) => [file.path, file]),
    );
    expect(Object.keys(files)).toEqual([
      '/etc/meetscale/bbb-server.env',
      '/etc/meetscale/scalelite.yml',
      '/etc/netplan/60-meetscale-secondary.yaml',
      '/usr/local/sbin/meetscale-bbb-setup',
      '/etc/systemd/system/node-exporter.service',
      '/etc/systemd/system/bigbluebutton-exporter.service',
    ]);
    expect(files['/etc/meetscale/bbb-server.env']?.permissions).toBe('0600');
    expect(files['/usr/local/sbin/meetscale-bbb-setup']?.content).toBe(readFileSync(join(FILES_DIR, 'setup.sh'), 'utf8'));
    expect(parse(files['/etc/meetscale/scalelite.yml']?.content ?? '')).toEqual({
      work_dir: '/var/bigbluebutton/recording/scalelite',
      spool_dir: '/mnt/scalelite-recordings/spool',
      extra_rsync_opts: ['--chmod=F664'],
      delete_recording: false,
    });
  });

  test('pins bbb-install.sh, the post-publish hook and the exporters, with the exporters at the monitoring catalog versions', () => {
    // GIVEN / WHEN the settings the setup script reads, sourced by bash
    const settings = bbbServerSettings(PROPS);
    const file = join(dir, 'settings.env');
    writeFileSync(file, settings);
    const sourced = execFileSync('bash', ['-c', `set -a && . "${file}" && env`], { encoding: 'utf8', env: {} });
    const env = Object.fromEntries(
      sourced.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );

    // THEN
    expect(env).toMatchObject({
      FQDN: 'bbb-01.bremen.meetscale.example',
      PUBLIC_IP: '192.0.2.21',
      BBB_SECRET: PROPS.secret,
      BBB_API_URL: 'https://bbb-01.bremen.meetscale.example/bigbluebutton/api/',
      BBB_INSTALL_VERSION: 'jammy-300',
      BBB_INSTALL_COMMIT: BBB_INSTALL.commit,
      BBB_INSTALL_SHA256: BBB_INSTALL.sha256,
      SCALELITE_TAG: SCALELITE_POST_PUBLISH.tag,
      NODE_EXPORTER_VERSION: '1.12.1',
      NODE_EXPORTER_SHA256: NODE_EXPORTER_SHA256['1.12.1'],
      BBB_EXPORTER_IMAGE: 'greenstatic/bigbluebutton-exporter:v0.7.1',
      NODE_EXPORTER_PORT: '9100',
      BBB_EXPORTER_PORT: '9688',
    });
    expect(EXPORTER_VERSIONS).toEqual({ nodeExporter: '1.12.1', bigbluebuttonExporter: 'v0.7.1' });
    expect(BBB_INSTALL.commit).toMatch(/^[0-9a-f]{40}$/);
    for (const sha256 of [BBB_INSTALL.sha256, SCALELITE_POST_PUBLISH.sha256, ...Object.values(NODE_EXPORTER_SHA256)]) {
      expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test("serves the exporters on the ports the monitoring chart scrapes by default, with the chart's https scheme", () => {
    // GIVEN the monitoring chart's defaults
    const values = parse(readFileSync(join(__dirname, '..', '..', '..', 'charts', 'monitoring', 'values.yaml'), 'utf8')) as {
      bigbluebutton: { exporterPort: number; nodeExporterPort: number; scheme: string };
    };

    // WHEN / THEN
    expect(values.bigbluebutton).toMatchObject({
      exporterPort: EXPORTER_PORTS.bigbluebuttonExporter,
      nodeExporterPort: EXPORTER_PORTS.nodeExporter,
      scheme: 'https',
    });
    const setup = readFileSync(join(FILES_DIR, 'setup.sh'), 'utf8');
    expect(setup).toContain('listen $NODE_EXPORTER_PORT ssl;');
    expect(setup).toContain('listen $BBB_EXPORTER_PORT ssl;');
  });

  test('refuses a setting that could end its quotes', () => {
    // GIVEN / WHEN / THEN
    expect(thrownBy(() => bbbServerSettings({ ...PROPS, acmeEmail: "o'brien@example.org" })).message).toBe(
      'the setting ACME_EMAIL "o\'brien@example.org" holds a quote, backslash or newline',
    );
  });
});

describe("the servers' static files", () => {
  test('hold no Terraform template sequence, since the user data is a Terraform template', () => {
    // GIVEN every file of src/bbb-server / WHEN / THEN
    for (const name of readdirSync(FILES_DIR)) {
      const text = readFileSync(join(FILES_DIR, name), 'utf8');
      expect({ name, interpolation: text.includes('${'), directive: text.includes('%{') }).toEqual({
        name,
        interpolation: false,
        directive: false,
      });
    }
  });

  test("the setup script is valid bash, verifies every download's SHA-256, and sets the server's secret", () => {
    // GIVEN the script / WHEN bash parses it / THEN
    const script = join(FILES_DIR, 'setup.sh');
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text.match(/^fetch "/gm)?.length).toBe(3);
    expect(text).toContain('sha256sum --check --strict -');
    expect(text).toContain('bash /root/bbb-install.sh -v "$BBB_INSTALL_VERSION" -s "$FQDN" -e "$ACME_EMAIL"');
    expect(text).toContain('bbb-conf --setsecret "$BBB_SECRET"');
    expect(text).toContain('RECORDINGS_METRICS_READ_FROM_DISK=true');
  });
});
