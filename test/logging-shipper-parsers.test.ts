/**
 * The logging chart's shipper reads the container logs of the Jitsi shard, HAProxy and coturn with the parsers of
 * its `parsers.yaml`, joins Java stack traces with its multiline parser, and routes each container's records to a
 * data stream by the tags of its rendered `fluent-bit.yaml`.
 *
 * Fluent Bit itself cannot be run here: it is packaged in neither Debian bookworm, PyPI, npm nor the Go module proxy.
 * Its regular expressions are Onigmo's, which is Ruby's regex engine, so every regex of the configuration (parsers,
 * multiline rules, `match_regex` routes) runs in real Ruby, on log lines the programs wrote
 * (test/fixtures/logging/README.md says how each was captured), and the named captures are compared with what the
 * lines say. The files under test are the ones the chart ships: `parsers.yaml` of files/shipper, which the chart reads
 * into the shipper's ConfigMap, and that ConfigMap as real Helm renders the built chart (charts/logging);
 * test/support/fluent-bit-pipeline.ts emulates the rest of the pipeline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  containerTag,
  criRecords,
  type FluentBitConfig,
  multilineRecords,
  onigmo,
  type ParserDefinition,
  parseTexts,
  readFluentBitConfig,
  readParsersFile,
  type RecordBody,
  renderShipper,
  runShipperPipeline,
  SHIPPER_SOURCE_FILES,
  tagMatches,
} from './support/fluent-bit-pipeline';

jest.setTimeout(120_000);

const FIXTURES = join(__dirname, 'fixtures', 'logging');
const fixture = (container: string): string => readFileSync(join(FIXTURES, `${container}.log`), 'utf8');

/** parsers.yaml, the file the chart puts into the shipper's ConfigMap (the rendered ConfigMap is compared with it below). */
const SHIPPER_PARSERS = readFileSync(SHIPPER_SOURCE_FILES.parsers, 'utf8');
const parsersFile = readParsersFile(SHIPPER_PARSERS);

/** The parsers each container's log is read with, in the order they are tried; the rendered parser filters say the same. */
const CONTAINER_PARSERS: Readonly<Record<string, readonly string[]>> = {
  web: ['meetscale-nginx-access', 'meetscale-nginx-error'],
  haproxy: ['meetscale-haproxy-http', 'meetscale-haproxy-server', 'meetscale-haproxy-stderr'],
  prosody: ['meetscale-prosody'],
  coturn: ['meetscale-coturn'],
  jicofo: ['meetscale-jitsi-java'],
  jvb: ['meetscale-jitsi-java'],
};
/** The multiline parser joining jicofo's and the bridges' stack traces. */
const JAVA_MULTILINE = { parser: 'meetscale-jitsi-java-trace', containers: ['jicofo', 'jvb'] };
/** Where the DaemonSet mounts the ConfigMap, the node's state directory and Elasticsearch's CA. */
const CONFIG_DIR = '/fluent-bit/etc';
const STATE_DIR = '/var/fluent-bit/state';
const ES_CA_FILE = '/fluent-bit/es-ca/ca.crt';

function parsersOf(container: string): ParserDefinition[] {
  return (CONTAINER_PARSERS[container] ?? []).map((name) => {
    const parser = parsersFile.parsers.get(name);
    if (parser === undefined) throw new Error(`${container}: parser ${name} is not in parsers.yaml`);
    return parser;
  });
}

/** The lines of a container's log as the tail input's cri parser gives them (`log`, partial lines joined). */
const linesOf = (container: string): string[] => criRecords('tag', fixture(container)).map((record) => String(record.body.log));

/** Each line of a container's log with what its parsers made of it (null: no parser read it). */
function parsedLog(container: string): Array<{ line: string; parsed: { parser: string; fields: RecordBody } | null }> {
  const lines = linesOf(container);
  const parsed = parseTexts(parsersOf(container), lines);
  return lines.map((line, index) => ({ line, parsed: parsed[index] ?? null }));
}

/** What the parsers made of the one line containing `text`. */
function parsedLine(log: ReturnType<typeof parsedLog>, text: string): { parser: string; fields: RecordBody } | null {
  const found = log.filter((entry) => entry.line.includes(text));
  if (found.length !== 1) throw new Error(`${found.length} lines contain ${text}`);
  return (found[0] as (typeof found)[number]).parsed;
}

describe('GIVEN parsers.yaml, the file of the ConfigMap', () => {
  it('THEN it defines every parser a container uses and the Java multiline parser, and Onigmo compiles every expression', () => {
    const used = new Set(Object.values(CONTAINER_PARSERS).flat());
    expect([...used].filter((name) => !parsersFile.parsers.has(name))).toEqual([]);
    expect([...parsersFile.parsers.values()].every((parser) => parser.format === 'regex')).toBe(true);
    const multiline = parsersFile.multilineParsers.get(JAVA_MULTILINE.parser);
    expect(multiline?.type).toBe('regex');
    expect(multiline?.rules.map((rule) => [rule.state, rule.next_state])).toEqual([
      ['start_state', 'java_trace'],
      ['java_trace', 'java_trace'],
    ]);
    const patterns = [
      ...[...parsersFile.parsers.values()].map((parser) => parser.regex),
      ...(multiline?.rules ?? []).map((rule) => rule.regex),
    ];
    expect(() => onigmo(patterns.map((pattern) => ({ pattern, subject: '' })))).not.toThrow();
  });
});

describe('GIVEN the web container’s log (nginx with docker-jitsi-meet’s jitsi_log format)', () => {
  const log = parsedLog('web');
  const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

  it('THEN every line is read, access lines and the error line', () => {
    expect(log).toHaveLength(10);
    expect(log.filter((entry) => entry.parsed === null)).toEqual([]);
    expect(log.filter((entry) => entry.parsed?.parser === 'meetscale-nginx-error')).toHaveLength(1);
  });

  it('THEN an IPv4 client’s request to a room gives its address, request, status, size and agent (no empty referer)', () => {
    expect(parsedLine(log, '"GET /BrightMeetingRoom ')).toEqual({
      parser: 'meetscale-nginx-access',
      fields: {
        client_address: '203.0.113.7',
        method: 'GET',
        path: '/BrightMeetingRoom',
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: 3,
        user_agent: chrome,
      },
    });
    expect(parsedLine(log, '/static/all.css')?.fields.referer).toBe('https://meet.example.org/BrightMeetingRoom');
  });

  it('THEN IPv6, IPv4-mapped and loopback IPv6 clients are read whole', () => {
    expect(parsedLine(log, 'POST /http-bind?room=brightmeetingroom')?.fields).toEqual({
      client_address: '2001:db8:85a3:1200::7',
      method: 'POST',
      path: '/http-bind?room=brightmeetingroom',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 4,
      user_agent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1',
    });
    expect(parsedLine(log, '"GET /sounds/missing.mp3 HTTP/1.1" 200')?.fields.client_address).toBe('::ffff:198.51.100.23');
    expect(parsedLine(log, '/Planning%20Q3')?.fields).toEqual({
      client_address: '::1',
      method: 'GET',
      path: '/Planning%20Q3',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 3,
      user_agent: String.raw`Jitsi \x22quoted\x22 agent\x5C`,
    });
  });

  it('THEN a token in the URL and the referer stays redacted as nginx wrote it', () => {
    expect(parsedLine(log, 'xmpp-websocket')?.fields).toMatchObject({
      path: '/xmpp-websocket?[params_redacted]',
      status: 101,
      referer: 'https://meet.example.org/weekly-sync?[params_redacted]',
    });
  });

  it('THEN a request nginx could not parse and a 404 are read, and the error log gives its level and message', () => {
    expect(parsedLine(log, '"-  -" 400')?.fields).toEqual({
      client_address: '127.0.0.1',
      method: '-',
      protocol: '-',
      status: 400,
      bytes: 157,
      user_agent: '-',
    });
    expect(parsedLine(log, '"GET /sounds/missing.mp3 HTTP/1.1" 404')?.fields).toMatchObject({
      client_address: '198.51.100.23',
      status: 404,
    });
    expect(parsedLine(log, '[error]')).toEqual({
      parser: 'meetscale-nginx-error',
      fields: {
        level: 'error',
        message:
          'open() "/tmp/capture/nginx/html/sounds/missing.mp3" failed (2: No such file or directory), client: 198.51.100.23, server: , request: "GET /sounds/missing.mp3 HTTP/1.1", host: "127.0.0.1:18080"',
      },
    });
  });
});

describe('GIVEN the haproxy container’s log (option httplog, raw on stdout)', () => {
  const log = parsedLog('haproxy');

  it('THEN a request gives client address and port, frontend, backend, server, time, status, size, termination state and request', () => {
    expect(parsedLine(log, 'room=brightmeetingroom')).toEqual({
      parser: 'meetscale-haproxy-http',
      fields: {
        client_address: '203.0.113.7',
        client_port: 42684,
        frontend: 'http',
        backend: 'shards',
        server: 'meetscale-shard-a',
        duration_ms: 2038,
        status: 404,
        bytes: 500,
        termination_state: '----',
        method: 'GET',
        path: '/http-bind?room=brightmeetingroom',
        protocol: 'HTTP/1.1',
      },
    });
  });

  it('THEN an IPv6 client, written without brackets, is split from its port at the last colon', () => {
    expect(parsedLine(log, 'room=weekly-sync')?.fields).toMatchObject({ client_address: '2001:db8:85a3:1200::7', client_port: 45904 });
    expect(parsedLine(log, ':45912 [')?.fields).toMatchObject({ client_address: '::ffff:198.51.100.23', client_port: 45912 });
    expect(parsedLine(log, 'room=planning')?.fields).toMatchObject({ client_address: '::1', client_port: 60398, status: 200 });
  });

  it('THEN a bad request and a 503 without a server are read', () => {
    expect(parsedLine(log, '<BADREQ>')?.fields).toEqual({
      client_address: '127.0.0.1',
      client_port: 45956,
      frontend: 'http',
      backend: 'http',
      server: '<NOSRV>',
      duration_ms: 0,
      status: 400,
      bytes: 0,
      termination_state: 'PR--',
    });
    expect(parsedLine(log, ':59002 [')?.fields).toMatchObject({ duration_ms: 2010, status: 503, termination_state: 'SC--' });
  });

  it('THEN a health-check event names its backend and server, HAProxy’s warnings their level, and one line stays unparsed', () => {
    const events = log.filter((entry) => entry.line.startsWith('Server shards/'));
    expect(events.map((entry) => entry.parsed?.parser)).toEqual(['meetscale-haproxy-server', 'meetscale-haproxy-server']);
    expect(events[0]?.parsed?.fields).toEqual({ message: events[0]?.line, backend: 'shards', server: 'meetscale-shard-b' });
    expect(parsedLine(log, '[ALERT]')?.fields).toEqual({ level: 'ALERT', message: "backend 'shards' has no server available!" });
    expect(log.filter((entry) => entry.line.startsWith('[WARNING]')).map((entry) => entry.parsed?.fields.level)).toEqual([
      'WARNING',
      'WARNING',
    ]);
    expect(log.filter((entry) => entry.parsed === null).map((entry) => entry.line)).toEqual(['backend shards has no server available!']);
  });
});

describe('GIVEN the prosody container’s log (console sink, docker-jitsi-meet’s timestamps)', () => {
  const log = parsedLog('prosody');

  it('THEN a line gives its source, level and message', () => {
    expect(parsedLine(log, 'Hello and welcome')).toEqual({
      parser: 'meetscale-prosody',
      fields: { source: 'startup', level: 'info', message: 'Hello and welcome to Prosody version 0.12.3' },
    });
    expect(parsedLine(log, 'BOSH session created for request from 2001:db8:85a3:1200::7')?.fields).toEqual({
      source: 'boshdd5e1cdb-834f-4575-89a5-758dd939b165',
      level: 'debug',
      message: 'BOSH session created for request from 2001:db8:85a3:1200::7',
    });
    expect(parsedLine(log, "The 'daemonize' option")?.fields).toMatchObject({ source: 'mod_posix', level: 'warn' });
    expect(parsedLine(log, 'Error indexing certificate directory')?.fields).toMatchObject({ source: 'certmanager', level: 'error' });
    expect(parsedLine(log, 'c2s stream for ::1 closed')?.fields).toMatchObject({
      level: 'debug',
      message: 'c2s stream for ::1 closed: session closed',
    });
  });

  it('THEN only the lines prosody writes without its prefix stay unparsed: the lua-unbound banner and continued messages', () => {
    const unparsed = log.filter((entry) => entry.parsed === null).map((entry) => entry.line);
    expect(unparsed).toHaveLength(16);
    expect(unparsed.filter((line) => /^\d{4}-\d\d-\d\d /.test(line))).toEqual([]);
    expect(unparsed).toContain('Prosody was unable to find lua-unbound');
    expect(unparsed.filter((line) => line === '----------')).toHaveLength(3);
    expect(log.filter((entry) => entry.parsed !== null)).toHaveLength(192);
  });
});

describe('GIVEN the coturn container’s log (log-file=stdout, simple-log)', () => {
  const log = parsedLog('coturn');

  it('THEN coturn 4.17 lines give level, session and message', () => {
    expect(parsedLine(log, 'remote 203.0.113.7:50513')).toEqual({
      parser: 'meetscale-coturn',
      fields: {
        level: 'INFO',
        session: '001000000000000002',
        message:
          'closed (2nd stage), user <1796178708:pupil> realm <turn.example.org> origin <>, local 192.0.2.10:3478, remote 203.0.113.7:50513, reason: allocation timeout',
      },
    });
    expect(parsedLine(log, '+0000 ERROR')?.fields).toEqual({
      level: 'ERROR',
      message: 'check_stun_auth: Cannot find credentials of user <1796178708:pupil>',
    });
    expect(parsedLine(log, 'connected to: 198.51.100.23:37490')?.fields).toEqual({
      level: 'INFO',
      message: 'IPv4. tcp or tls connected to: 198.51.100.23:37490',
    });
  });

  it('THEN lines of the older format give session and message, ERROR its level, and the banners’ continuation lines stay unparsed', () => {
    expect(parsedLine(log, 'remote [::1]:59214')?.fields).toMatchObject({
      session: '000000000000000005',
      message: expect.stringMatching(/^closed \(2nd stage\)/),
    });
    const errors = log.filter((entry) => entry.line.includes(': : ERROR: '));
    expect(errors.map((entry) => entry.parsed?.fields)).toEqual([
      { level: 'ERROR', message: 'check_stun_auth: Cannot find credentials of user <1796178708:pupil>' },
      { level: 'ERROR', message: 'check_stun_auth: Cannot find credentials of user <1796178708:pupil>' },
    ]);
    expect(parsedLine(log, '1: : session 001000000000000001: new,')?.fields).toEqual({
      session: '001000000000000001',
      message: 'new, realm=<turn.example.org>, username=<1796178708:pupil>, lifetime=777',
    });
    expect(log.filter((entry) => entry.parsed === null).map((entry) => entry.line)).toEqual([
      'RFC 3489/5389/5766/5780/6062/6156 STUN/TURN Server',
      "Version Coturn-4.6.1 'Gorst'",
      'Max number of open files/sockets allowed for this process: 20000',
    ]);
  });
});

describe('GIVEN the jicofo and jvb containers’ logs (JitsiLogFormatter on stderr)', () => {
  const multiline = parsersFile.multilineParsers.get(JAVA_MULTILINE.parser);
  if (multiline === undefined) throw new Error('no Java multiline parser');
  const records = (container: string): string[] =>
    multilineRecords(multiline, 'log', criRecords('tag', fixture(container))).map((record) => String(record.body.log));

  it('THEN each record and the stack trace printed after it become one record; a JVM line stands alone', () => {
    const lines = linesOf('jicofo');
    const joined = records('jicofo');
    const severe = lines.findIndex((line) => line.includes(' SEVERE: '));
    expect(joined).toEqual([
      'Picked up JAVA_TOOL_OPTIONS: -Xmx3072m',
      lines[1],
      lines[2],
      lines.slice(severe, severe + 9).join('\n'),
      lines[severe + 9],
    ]);
    expect(joined[3]).toMatch(/^Jicofo .* SEVERE: [\s\S]*\nCaused by: java\.util\.concurrent\.TimeoutException: [\s\S]*\n\t\.\.\. 1 more$/);
  });

  it('THEN a joined record parses into level, thread, context, logger, and a message holding the whole trace', () => {
    const joined = records('jicofo');
    const [parsed] = parseTexts(parsersOf('jicofo'), [joined[3] as string]);
    expect(parsed?.fields).toEqual({
      level: 'SEVERE',
      thread: '1',
      context: 'conf_name=weekly-sync@conference.meet.jitsi meeting_id=5b1c6a0e',
      logger: 'ParticipantInviteRunnable.doRun#172',
      message: (joined[3] as string).slice((joined[3] as string).indexOf('Failed to allocate')),
    });
    expect(parseTexts(parsersOf('jicofo'), [joined[0] as string])).toEqual([null]);
    expect(parseTexts(parsersOf('jicofo'), [joined[4] as string])[0]?.fields).toEqual({
      level: 'WARNING',
      thread: '1',
      logger: 'BridgeSelector.selectBridge#214',
      message: 'Failed to select a bridge: no operational bridges.',
    });
  });

  it('THEN the bridge’s trace with three causes is one record, and its 19391-byte line split by containerd is one record', () => {
    const joined = records('jvb');
    expect(joined).toHaveLength(6);
    const severe = joined.find((text) => text.includes(' SEVERE: ')) as string;
    expect(severe.split('\n')).toHaveLength(14);
    expect(severe.match(/^Caused by: /gm)).toHaveLength(3);
    expect(severe.endsWith('Caused by: java.net.BindException: Address already in use\n\t... 4 more')).toBe(true);
    const stats = joined.find((text) => text.includes('Endpoint statistics')) as string;
    expect(
      fixture('jvb')
        .split('\n')
        .filter((line) => line.includes(' stderr P ')),
    ).toHaveLength(1);
    expect(Buffer.byteLength(stats)).toBe(19391);
    const [parsed] = parseTexts(parsersOf('jvb'), [stats]);
    expect(parsed?.fields).toMatchObject({ level: 'INFO', logger: 'VideobridgeStatistics.logStats#88' });
    expect(JSON.parse(String(parsed?.fields.message).slice('Endpoint statistics: '.length)).endpoints).toHaveLength(220);
  });
});

describe('GIVEN the chart rendered by Helm', () => {
  /** The output each container's records go to (by tag, as the router matches `match_regex`), for every output. */
  function routes(config: FluentBitConfig, containers: readonly string[]): Record<string, string[]> {
    const tags = containers.map((container) =>
      containerTag({ pod: `pod-${container}-0`, namespace: 'meetscale', container, containerId: 'ab12'.repeat(16) }),
    );
    const matched = config.outputs.map((output) => tagMatches(String(output.match_regex), tags));
    return Object.fromEntries(
      containers.map((container, index) => [
        container,
        config.outputs.filter((_output, o) => matched[o]?.[index]).map((output) => String(output.index)),
      ]),
    );
  }

  const OTHERS = ['etherpad', 'whiteboard', 'shipper', 'webb', 'my-web', 'web2', 'api-server', 'jvb-1', 'coturn-exporter'];

  describe('WHEN the values are the defaults', () => {
    let rendered: ReturnType<typeof renderShipper>;
    let config: FluentBitConfig;
    beforeAll(() => {
      rendered = renderShipper({});
      config = readFluentBitConfig(rendered.files['fluent-bit.yaml']);
    });

    it('THEN the ConfigMap holds the chart’s parsers.yaml and mask.lua, and fluent-bit.yaml loads that parsers file', () => {
      expect(rendered.files['parsers.yaml']).toBe(SHIPPER_PARSERS);
      expect(rendered.files['mask.lua']).toBe(readFileSync(SHIPPER_SOURCE_FILES.mask, 'utf8'));
      expect(config.service.parsers_file).toBe(`${CONFIG_DIR}/parsers.yaml`);
      expect(config.inputs).toEqual([
        expect.objectContaining({
          name: 'tail',
          path: '/var/log/containers/*.log',
          'multiline.parser': 'cri, docker',
          mem_buf_limit: '50MB',
          tag: 'kube.*',
          db: `${STATE_DIR}/tail.db`,
          read_from_head: 'on',
        }),
      ]);
      expect(config.service.flush).toBe(5);
    });

    it('THEN each container of a stream goes to that stream’s data stream only, and every other container to platform', () => {
      expect(config.outputs.map((output) => [output.alias, output.index])).toEqual([
        ['es-access', 'logs-meetscale.access-default'],
        ['es-bigbluebutton', 'logs-meetscale.bigbluebutton-default'],
        ['es-jitsi', 'logs-meetscale.jitsi-default'],
        ['es-turn', 'logs-meetscale.turn-default'],
        ['es-platform', 'logs-meetscale.platform-default'],
      ]);
      expect(
        routes(config, ['web', 'haproxy', 'jicofo', 'jvb', 'prosody', 'coturn', 'api', 'poller', 'importer', 'autoscaler', ...OTHERS]),
      ).toEqual({
        web: ['logs-meetscale.access-default'],
        haproxy: ['logs-meetscale.access-default'],
        jicofo: ['logs-meetscale.jitsi-default'],
        jvb: ['logs-meetscale.jitsi-default'],
        prosody: ['logs-meetscale.jitsi-default'],
        coturn: ['logs-meetscale.turn-default'],
        api: ['logs-meetscale.bigbluebutton-default'],
        poller: ['logs-meetscale.bigbluebutton-default'],
        importer: ['logs-meetscale.bigbluebutton-default'],
        autoscaler: ['logs-meetscale.bigbluebutton-default'],
        ...Object.fromEntries(OTHERS.map((container) => [container, ['logs-meetscale.platform-default']])),
      });
    });

    it('THEN the parser filters and the multiline filter select their containers’ logs only', () => {
      const filters = config.filters.filter((filter) => filter.name === 'parser' || filter.name === 'multiline');
      const containers = [...Object.keys(CONTAINER_PARSERS), ...OTHERS];
      const tags = containers.map((container) => containerTag({ pod: 'p', namespace: 'n', container, containerId: 'cd34'.repeat(16) }));
      const selected = Object.fromEntries(
        filters.map((filter) => {
          const matched = tagMatches(String(filter.match_regex), tags);
          return [String(filter.alias), containers.filter((_container, index) => matched[index])];
        }),
      );
      expect(selected).toEqual({
        'java-stack-traces': ['jicofo', 'jvb'],
        ...Object.fromEntries(Object.keys(CONTAINER_PARSERS).map((container) => [`parse-${container}`, [container]])),
      });
      expect(
        Object.fromEntries(
          config.filters
            .filter((filter) => filter.name === 'parser')
            .map((filter) => [String(filter.alias).slice('parse-'.length), filter.parser]),
        ),
      ).toEqual(CONTAINER_PARSERS);
      expect(config.filters.find((filter) => filter.name === 'multiline')?.['multiline.parser']).toBe(JAVA_MULTILINE.parser);
    });

    it('THEN every output writes to Elasticsearch over verified TLS as the shipper user, with create actions and no dots in keys', () => {
      for (const output of config.outputs) {
        expect(output).toMatchObject({
          name: 'es',
          host: '${ES_HOST}',
          port: '${ES_PORT}',
          tls: 'on',
          'tls.verify': 'on',
          'tls.ca_file': ES_CA_FILE,
          http_user: '${ES_USERNAME}',
          http_passwd: '${ES_PASSWORD}',
          write_operation: 'create',
          suppress_type_name: 'on',
          replace_dots: 'on',
        });
      }
    });

    it('THEN the DaemonSet gives the shipper every variable and mount the configuration names', () => {
      const pod = (rendered.daemonSet as { spec: { template: { spec: Record<string, any> } } } | undefined)?.spec.template.spec;
      const container = pod?.containers?.[0] as {
        env: Array<{ name: string }>;
        volumeMounts: Array<{ name: string; mountPath: string }>;
        command: string[];
      };
      const variables = [...rendered.files['fluent-bit.yaml'].matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1]);
      expect(new Set(variables)).toEqual(new Set(['ES_HOST', 'ES_PORT', 'ES_USERNAME', 'ES_PASSWORD']));
      const env = container.env.map((entry) => entry.name);
      expect(env).toEqual(expect.arrayContaining([...variables, 'MASK_MODE', 'MASK_IPV4_PREFIX', 'MASK_IPV6_PREFIX']));
      expect(container.command).toEqual(['/fluent-bit/bin/fluent-bit', `--config=${CONFIG_DIR}/fluent-bit.yaml`]);
      const mounts = container.volumeMounts.map((mount) => mount.mountPath);
      expect(mounts).toEqual(expect.arrayContaining([CONFIG_DIR, '/var/log', STATE_DIR, '/fluent-bit/es-ca']));
      const configVolume = (pod?.volumes as Array<{ name: string; configMap?: { name: string } }>).find(
        (volume) => volume.name === container.volumeMounts.find((mount) => mount.mountPath === CONFIG_DIR)?.name,
      );
      const configMap = rendered.manifests.find(
        (manifest) => manifest.kind === 'ConfigMap' && (manifest.data as Record<string, string>)['fluent-bit.yaml'] !== undefined,
      );
      expect(configVolume?.configMap?.name).toBe(configMap?.metadata.name);
    });

    it('THEN a line no parser reads keeps its log and the other fields, and a parsed one keeps its log too', () => {
      const run = runShipperPipeline(rendered.files, { MASK_MODE: 'keep' }, [
        { pod: 'haproxy-0', namespace: 'meetscale', container: 'haproxy', containerId: 'ef56'.repeat(16), text: fixture('haproxy') },
      ]);
      const unparsed = run.records.filter((record) => record.body.log === 'backend shards has no server available!');
      expect(unparsed.map((record) => Object.keys(record.body).sort())).toEqual([['kubernetes', 'log', 'stream']]);
      const parsed = run.records.find((record) => String(record.body.log).includes('<BADREQ>'));
      expect(parsed?.body).toMatchObject({
        status: 400,
        termination_state: 'PR--',
        stream: 'stdout',
        log: expect.stringContaining('<BADREQ>'),
      });
      expect(run.outputs.find((output) => output.alias === 'es-access')?.records).toHaveLength(run.records.length);
    });
  });

  describe('WHEN streams, the default stream, flush and buffer are overridden', () => {
    // Helm merges the streams map entry by entry with the defaults: null takes a default stream out
    const values = {
      streams: {
        jitsi: null,
        turn: null,
        bigbluebutton: null,
        platform: null,
        access: { containers: ['web'], retention: '3d' },
        media: { containers: ['jvb', 'coturn'], retention: '2d' },
        rest: { containers: [], retention: '30d' },
      },
      defaultStream: 'rest',
      shipper: { flushSeconds: 2, memBufLimit: '20MB' },
    };
    let config: FluentBitConfig;
    beforeAll(() => {
      config = readFluentBitConfig(renderShipper(values).files['fluent-bit.yaml']);
    });

    it('THEN the outputs are the new streams’, a container no stream lists goes to the new default, and flush and buffer follow', () => {
      expect(config.outputs.map((output) => output.index)).toEqual([
        'logs-meetscale.access-default',
        'logs-meetscale.media-default',
        'logs-meetscale.rest-default',
      ]);
      expect(routes(config, ['web', 'haproxy', 'jvb', 'coturn', 'jicofo', 'prosody', 'etherpad'])).toEqual({
        web: ['logs-meetscale.access-default'],
        haproxy: ['logs-meetscale.rest-default'],
        jvb: ['logs-meetscale.media-default'],
        coturn: ['logs-meetscale.media-default'],
        jicofo: ['logs-meetscale.rest-default'],
        prosody: ['logs-meetscale.rest-default'],
        etherpad: ['logs-meetscale.rest-default'],
      });
      expect(config.service.flush).toBe(2);
      expect(config.inputs[0]?.mem_buf_limit).toBe('20MB');
    });

    it('THEN a retention of its own changes nothing in the shipper’s configuration (retention is the lifecycle policies’)', () => {
      const longer = { ...values, streams: { ...values.streams, media: { containers: ['jvb', 'coturn'], retention: '90d' } } };
      expect(renderShipper(longer).files['fluent-bit.yaml']).toBe(renderShipper(values).files['fluent-bit.yaml']);
    });

    it('THEN a default stream listing containers of its own still takes every unlisted one', () => {
      const own = readFluentBitConfig(
        renderShipper({ ...values, streams: { ...values.streams, rest: { containers: ['haproxy'], retention: '30d' } } }).files[
          'fluent-bit.yaml'
        ],
      );
      expect(routes(own, ['haproxy', 'etherpad', 'web'])).toEqual({
        haproxy: ['logs-meetscale.rest-default'],
        etherpad: ['logs-meetscale.rest-default'],
        web: ['logs-meetscale.access-default'],
      });
    });
  });

  describe('WHEN a stream is added to the default ones', () => {
    it('THEN the default streams keep their outputs, and the new stream’s containers leave the default stream for it', () => {
      const config = readFluentBitConfig(
        renderShipper({ streams: { recordings: { containers: ['jibri'], retention: '3d' } } }).files['fluent-bit.yaml'],
      );
      expect(config.outputs.map((output) => output.alias)).toEqual([
        'es-access',
        'es-bigbluebutton',
        'es-jitsi',
        'es-recordings',
        'es-turn',
        'es-platform',
      ]);
      expect(routes(config, ['jibri', 'jvb', 'etherpad'])).toEqual({
        jibri: ['logs-meetscale.recordings-default'],
        jvb: ['logs-meetscale.jitsi-default'],
        etherpad: ['logs-meetscale.platform-default'],
      });
    });
  });

  describe('WHEN privacy.clientAddresses is keep, or truncate', () => {
    it('THEN the masking lua filter is left out for keep, and calls mask.lua otherwise', () => {
      const lua = (values: unknown) =>
        readFluentBitConfig(renderShipper(values).files['fluent-bit.yaml']).filters.filter((filter) => filter.name === 'lua');
      expect(lua({ privacy: { clientAddresses: 'keep' } })).toEqual([]);
      expect(lua({ privacy: { clientAddresses: 'remove' } })).toEqual([
        expect.objectContaining({ match: 'kube.*', script: `${CONFIG_DIR}/mask.lua`, call: 'mask_addresses' }),
      ]);
      expect(lua({})).toHaveLength(1);
    });
  });
});
