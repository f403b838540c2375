/**
 * The logging chart's shipper masks client addresses before they leave the node: `mask.lua`, the lua filter of its
 * Fluent Bit, truncates (or removes) every IPv4 and IPv6 address in a record's fields, as `privacy` in the values says.
 *
 * Fluent Bit itself cannot be run here: it is packaged in neither Debian bookworm, PyPI, npm nor the Go module proxy.
 * Its Lua is LuaJIT, so the chart's `mask.lua` runs in real LuaJIT, called as Fluent Bit's lua filter calls it
 * (`mask_addresses(tag, timestamp, record)`, the script loaded once with the DaemonSet's environment). Then the
 * captured container logs (test/fixtures/logging) go through the pipeline of the ConfigMap real Helm renders from
 * the built chart, charts/logging (test/support/fluent-bit-pipeline.ts: regexes in Ruby's Onigmo, the lua filter in
 * LuaJIT), and the records are posted as Fluent Bit's es output posts them (NDJSON `create` actions to
 * `logs-meetscale.<stream>-default`) to the loopback fake of Elasticsearch (test/support/fake-elasticsearch.ts),
 * which checks every action and document against Elasticsearch's own API description: no full client address
 * reaches it, and it refuses nothing.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

import { type FakeElasticsearch, startFakeElasticsearch } from './support/fake-elasticsearch';
import {
  type ContainerLog,
  type EsOutput,
  type LuaResult,
  type RecordBody,
  renderShipper,
  runLuaFilter,
  runShipperPipeline,
  SHIPPER_SOURCE_FILES,
} from './support/fluent-bit-pipeline';

jest.setTimeout(120_000);

/** mask.lua, the file the chart puts into the shipper's ConfigMap, and the function the lua filter calls. */
const SHIPPER_MASK_SCRIPT = readFileSync(SHIPPER_SOURCE_FILES.mask, 'utf8');
const MASK_FUNCTION = 'mask_addresses';

/** Calls mask.lua on records, one LuaJIT process for all, with this environment. */
function mask(env: Readonly<Record<string, string>>, records: readonly RecordBody[]): LuaResult[] {
  return runLuaFilter(
    SHIPPER_MASK_SCRIPT,
    MASK_FUNCTION,
    env,
    records.map((record) => ({ tag: 'kube.var.log.containers.web-0_meetscale_web-0.log', timestamp: 1796178708.25, record })),
  );
}

/** What mask.lua makes of texts in a `log` field. */
function maskedTexts(env: Readonly<Record<string, string>>, texts: readonly string[]): string[] {
  return mask(
    env,
    texts.map((log) => ({ log })),
  ).map((result) => String(result.record.log));
}

const TRUNCATE = { MASK_MODE: 'truncate', MASK_IPV4_PREFIX: '24', MASK_IPV6_PREFIX: '48' };

describe('GIVEN mask.lua in LuaJIT, truncating to 24 and 48 bits (the defaults)', () => {
  it('THEN IPv4, IPv6 and IPv4-mapped IPv6 addresses keep their network part only, in RFC 5952 form', () => {
    const cases: Array<[string, string]> = [
      ['203.0.113.7', '203.0.113.0'],
      ['2001:db8:85a3:1200::7', '2001:db8:85a3::'],
      ['2001:DB8:85A3:1200:0:0:0:A', '2001:db8:85a3::'],
      ['2001:db8:1:2:3:4:5:6', '2001:db8:1::'],
      ['::1', '::'],
      ['::ffff:198.51.100.23', '::ffff:198.51.100.0'],
      ['::ffff:c633:6417', '::ffff:198.51.100.0'],
    ];
    expect(
      maskedTexts(
        TRUNCATE,
        cases.map(([address]) => address),
      ),
    ).toEqual(cases.map(([, masked]) => masked));
  });

  it('THEN addresses inside text are masked where they stand, with ports and brackets kept', () => {
    const cases: Array<[string, string]> = [
      ['client: 198.51.100.23, server: , host: "127.0.0.1:18080"', 'client: 198.51.100.0, server: , host: "127.0.0.0:18080"'],
      ['2001:db8:85a3:1200::7:45904 [02/Dec/2026:02:20:27.126] http', '2001:db8:85a3:::45904 [02/Dec/2026:02:20:27.126] http'],
      ['::ffff:198.51.100.23:45912 [02/Dec', '::ffff:198.51.100.0:45912 [02/Dec'],
      ['local [::1]:13478, remote [2001:db8:85a3:1200::7]:61234, reason', 'local [::]:13478, remote [2001:db8:85a3::]:61234, reason'],
      ['remote 203.0.113.7:50513, reason', 'remote 203.0.113.0:50513, reason'],
      ['BOSH session created for request from 203.0.113.7.', 'BOSH session created for request from 203.0.113.0.'],
      ['addr:203.0.113.7 ip=2001:db8::a:b:1', 'addr:203.0.113.0 ip=2001:db8::'],
      ['10.42.3.17:10000 <-> 203.0.113.7:50513', '10.42.3.0:10000 <-> 203.0.113.0:50513'],
    ];
    expect(
      maskedTexts(
        TRUNCATE,
        cases.map(([text]) => text),
      ),
    ).toEqual(cases.map(([, masked]) => masked));
  });

  it('THEN times, versions, hex numbers, identifiers and invalid addresses are left alone, and the record is returned unchanged (0)', () => {
    const texts = [
      '2026-12-02 07:31:02.123 [02/Dec/2026:02:20:25.048] 0/2008/5/24/2038',
      'Version Coturn-4.6.1 and 17.0.15',
      'JitsiMeetConferenceImpl::invite std::string aa:bb:cc:dd:ee:ff',
      'session 001000000000000001: table: 0x559eee2f73f0: sid b32c1c80-a06a-4030-ba9a-e94123165b5e',
      '256.1.1.1 1.2.3 1:2:3:4:5:6:7:8:9:a 2001:db8:::1 deadbeef',
    ];
    const results = mask(
      TRUNCATE,
      texts.map((log) => ({ log })),
    );
    expect(results.map((result) => [result.code, result.record.log])).toEqual(texts.map((text) => [0, text]));
  });

  it('THEN every string field of a record is masked, numbers and the Kubernetes metadata are not, and the code is 2 (timestamp kept)', () => {
    const [result] = mask(TRUNCATE, [
      {
        client_address: '2001:db8:85a3:1200::7',
        client_port: 45904,
        status: 404,
        log: '2001:db8:85a3:1200::7:45904 [02/Dec/2026:02:20:27.126] http shards/meetscale-shard-a',
        referer: 'http://203.0.113.7/BrightMeetingRoom',
        kubernetes: { pod_ip: '10.42.7.21', labels: { 'app.kubernetes.io/instance': 'shard-a' } },
      },
    ]);
    expect(result).toEqual({
      code: 2,
      timestamp: 1796178708.25,
      record: {
        client_address: '2001:db8:85a3::',
        client_port: 45904,
        status: 404,
        log: '2001:db8:85a3:::45904 [02/Dec/2026:02:20:27.126] http shards/meetscale-shard-a',
        referer: 'http://203.0.113.0/BrightMeetingRoom',
        kubernetes: { pod_ip: '10.42.7.21', labels: { 'app.kubernetes.io/instance': 'shard-a' } },
      },
    });
  });
});

describe('GIVEN mask.lua with each prefix length the values allow', () => {
  it('THEN truncate keeps that many bits of IPv4 (8, 16, 24) and IPv6 (16, 32, 48, 64) addresses', () => {
    const texts = ['198.51.100.23', '2001:db8:85a3:1200:abcd::7', '::ffff:198.51.100.23'];
    const masked = (v4: number, v6: number) =>
      maskedTexts({ MASK_MODE: 'truncate', MASK_IPV4_PREFIX: String(v4), MASK_IPV6_PREFIX: String(v6) }, texts);
    expect(masked(8, 16)).toEqual(['198.0.0.0', '2001::', '::ffff:198.0.0.0']);
    expect(masked(16, 32)).toEqual(['198.51.0.0', '2001:db8::', '::ffff:198.51.0.0']);
    expect(masked(24, 48)).toEqual(['198.51.100.0', '2001:db8:85a3::', '::ffff:198.51.100.0']);
    expect(masked(24, 64)).toEqual(['198.51.100.0', '2001:db8:85a3:1200::', '::ffff:198.51.100.0']);
  });
});

describe('GIVEN mask.lua set to remove, to keep, or set wrongly', () => {
  const texts = ['203.0.113.7 - -', 'from [2001:db8:85a3:1200::7]:443', '::ffff:198.51.100.23'];

  it('THEN remove writes the unspecified addresses', () => {
    expect(maskedTexts({ MASK_MODE: 'remove', MASK_IPV4_PREFIX: '24', MASK_IPV6_PREFIX: '48' }, texts)).toEqual([
      '0.0.0.0 - -',
      'from [::]:443',
      '::ffff:0.0.0.0',
    ]);
  });

  it('THEN keep returns every record unchanged (0)', () => {
    const results = mask(
      { MASK_MODE: 'keep' },
      texts.map((log) => ({ log })),
    );
    expect(results.map((result) => [result.code, result.record.log])).toEqual(texts.map((text) => [0, text]));
  });

  it('THEN an unknown mode removes, a prefix longer than the values allow keeps no bits, and no setting truncates as the defaults do', () => {
    expect(maskedTexts({ MASK_MODE: 'truncated' }, texts)).toEqual(['0.0.0.0 - -', 'from [::]:443', '::ffff:0.0.0.0']);
    expect(maskedTexts({ MASK_MODE: 'truncate', MASK_IPV4_PREFIX: '32', MASK_IPV6_PREFIX: '128' }, texts)).toEqual([
      '0.0.0.0 - -',
      'from [::]:443',
      '::ffff:0.0.0.0',
    ]);
    expect(maskedTexts({}, texts)).toEqual(['203.0.113.0 - -', 'from [2001:db8:85a3::]:443', '::ffff:198.51.100.0']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The captured logs through the rendered pipeline, to the fake Elasticsearch
// ---------------------------------------------------------------------------------------------------------------

/** An address in a comparable form: IPv4 dotted (an IPv4-mapped IPv6 address too), IPv6 as eight 4-digit groups. */
function normalized(address: string): string {
  if (isIP(address) === 4) return address;
  const [head = '', tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const groupsOf = (part: string): string[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [group.padStart(4, '0')];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [((a << 8) | b).toString(16).padStart(4, '0'), ((c << 8) | d).toString(16).padStart(4, '0')];
        });
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  const groups = [...front, ...Array<string>(8 - front.length - back.length).fill('0000'), ...back];
  if (groups.slice(0, 5).every((group) => group === '0000') && groups[5] === 'ffff') {
    const [high, low] = [Number.parseInt(groups[6] as string, 16), Number.parseInt(groups[7] as string, 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return groups.join(':');
}

/** Every IP address in a text (Node's isIP decides), with a port after it or without. */
function addressesIn(text: string): string[] {
  const found = new Set<string>();
  for (const [token] of text.matchAll(/[0-9A-Fa-f:.]+/g)) {
    const trimmed = token.replace(/^:(?!:)/, '').replace(/(?<!:)[:.]$/, '');
    for (const candidate of [trimmed, trimmed.replace(/:\d+$/, '')]) {
      if (isIP(candidate) !== 0) found.add(normalized(candidate));
    }
  }
  return [...found];
}

/** Whether an address has bits set beyond the prefix: the masking changes it. */
function hasHostBits(address: string, ipv4Prefix: number, ipv6Prefix: number): boolean {
  if (isIP(address) === 4) {
    const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    return value % 2 ** (32 - ipv4Prefix) !== 0;
  }
  return address
    .split(':')
    .slice(ipv6Prefix / 16)
    .some((group) => group !== '0000');
}

/** Every string in a document, at any depth. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

const FIXTURES = join(__dirname, 'fixtures', 'logging');
const SHARD_LABELS = { 'app.kubernetes.io/instance': 'shard-a', 'app.kubernetes.io/name': 'jitsi-shard' };

/** The captured logs, as the containers of a shard, HAProxy and coturn write them on a node. */
const LOGS: ContainerLog[] = [
  ['web', 'shard-a-jitsi-shard-web-7c9d5b6f4-x2k8p', SHARD_LABELS],
  ['prosody', 'shard-a-jitsi-shard-prosody-0', SHARD_LABELS],
  ['jicofo', 'shard-a-jitsi-shard-jicofo-5d8f7c9b6-q4m2n', SHARD_LABELS],
  ['jvb', 'shard-a-jitsi-shard-jvb-0', SHARD_LABELS],
  ['haproxy', 'meet-haproxy-0', { 'app.kubernetes.io/instance': 'meet', 'app.kubernetes.io/name': 'haproxy' }],
  ['coturn', 'turn-coturn-8fz2q', { 'app.kubernetes.io/instance': 'turn', 'app.kubernetes.io/name': 'coturn' }],
].map(([container, pod, labels], index) => ({
  pod: pod as string,
  namespace: 'meetscale',
  container: container as string,
  containerId: `${index}`.repeat(64),
  labels: labels as Record<string, string>,
  text: readFileSync(join(FIXTURES, `${container as string}.log`), 'utf8'),
}));

/** The client addresses of the captured lines. */
const INPUT_ADDRESSES = [...new Set(LOGS.flatMap((log) => addressesIn(log.text)))];

const SHIPPER_USER = 'meetscale-shipper';
const SHIPPER_PASSWORD = 'shipper-password-generated-by-the-chart';

/** The env of the DaemonSet's shipper container: literal values as rendered, the Secret's values as given. */
function shipperEnv(daemonSet: unknown): Record<string, string> {
  const container = (daemonSet as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } } })
    .spec.template.spec.containers[0];
  const literal = Object.fromEntries(
    (container?.env ?? []).filter((entry) => entry.value !== undefined).map((entry) => [entry.name, entry.value as string]),
  );
  return { ...literal, ES_USERNAME: SHIPPER_USER, ES_PASSWORD: SHIPPER_PASSWORD };
}

interface BulkResponse {
  readonly errors: boolean;
  readonly items: ReadonlyArray<Record<string, { _index: string; status: number }>>;
}

/** Posts an output's bulk body as Fluent Bit's es output does: POST /_bulk, NDJSON, basic auth. */
async function postBulk(url: string, output: EsOutput): Promise<{ status: number; body: BulkResponse }> {
  const response = await fetch(`${url}/_bulk`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-ndjson',
      authorization: `Basic ${Buffer.from(`${output.user}:${output.password}`).toString('base64')}`,
      'user-agent': 'Fluent-Bit',
    },
    body: output.bulkBody,
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: (await response.json()) as BulkResponse };
}

describe('GIVEN the captured logs through the rendered pipeline, posted to a fake Elasticsearch', () => {
  it('THEN the captured lines hold client addresses of every kind (or this test would show nothing)', () => {
    expect(INPUT_ADDRESSES).toEqual(
      expect.arrayContaining([
        '203.0.113.7',
        '198.51.100.23',
        '192.0.2.200',
        normalized('2001:db8:85a3:1200::7'),
        normalized('::1'),
        '127.0.0.1',
      ]),
    );
  });

  describe.each([
    ['truncate (the default)', {}, 24, 48],
    ['truncate to 8 and 32 bits', { privacy: { ipv4PrefixLength: 8, ipv6PrefixLength: 32 } }, 8, 32],
    ['remove', { privacy: { clientAddresses: 'remove' } }, 0, 0],
  ])('WHEN privacy is %s', (_name, values, ipv4Prefix, ipv6Prefix) => {
    let fake: FakeElasticsearch;
    let outputs: readonly EsOutput[];
    let responses: Array<{ status: number; body: BulkResponse }>;

    beforeAll(async () => {
      fake = await startFakeElasticsearch({ users: { [SHIPPER_USER]: SHIPPER_PASSWORD } });
      const rendered = renderShipper(values);
      const run = runShipperPipeline(rendered.files, shipperEnv(rendered.daemonSet), LOGS);
      outputs = run.outputs.filter((output) => output.records.length > 0);
      responses = [];
      for (const output of outputs) responses.push(await postBulk(fake.url, output));
    });
    afterAll(async () => fake?.close());

    it('THEN every bulk request is valid for the API and every document is created in its data stream', () => {
      expect(fake.refused).toEqual([]);
      expect(outputs.map((output) => output.index)).toEqual([
        'logs-meetscale.access-default',
        'logs-meetscale.jitsi-default',
        'logs-meetscale.turn-default',
      ]);
      responses.forEach((response, index) => {
        const output = outputs[index] as EsOutput;
        expect(response.status).toBe(200);
        expect(response.body.errors).toBe(false);
        // Elasticsearch answers with the data stream's backing index: .ds-<data stream>-<date>-<generation>
        const backingIndex = expect.stringMatching(
          new RegExp(`^\\.ds-${output.index.replaceAll('.', '\\.')}-\\d{4}\\.\\d{2}\\.\\d{2}-\\d{6}$`),
        );
        expect(response.body.items.map((item) => [Object.keys(item)[0], item.create?._index, item.create?.status])).toEqual(
          output.records.map(() => ['create', backingIndex, 201]),
        );
        expect(fake.dataStreams.get(output.index)).toHaveLength(output.records.length);
      });
    });

    it('THEN no client address reached Elasticsearch with more than the kept bits', () => {
      const stored = new Set([...fake.dataStreams.values()].flat().flatMap(stringsOf).flatMap(addressesIn));
      const masked = INPUT_ADDRESSES.filter((address) => hasHostBits(address, ipv4Prefix, ipv6Prefix));
      expect(masked).toEqual(
        expect.arrayContaining(['203.0.113.7', '198.51.100.23', normalized('2001:db8:85a3:1200::7'), normalized('::1')]),
      );
      expect(masked.filter((address) => stored.has(address))).toEqual([]);
    });

    it('THEN the access logs’ client addresses are stored masked, beside the other parsed fields and the shard’s labels', () => {
      const documents = (fake.dataStreams.get('logs-meetscale.access-default') ?? []) as RecordBody[];
      const room = documents.find((document) => document.path === '/BrightMeetingRoom');
      const expected = ipv4Prefix === 0 ? '0.0.0.0' : ipv4Prefix === 8 ? '203.0.0.0' : '203.0.113.0';
      expect(room).toMatchObject({ client_address: expected, method: 'GET', status: 200, stream: 'stdout' });
      expect(room?.log).toEqual(expect.stringMatching(new RegExp(`^${expected.replaceAll('.', '\\.')} - - \\[`)));
      expect((room?.kubernetes as RecordBody).labels).toEqual({
        'app_kubernetes_io/instance': 'shard-a',
        'app_kubernetes_io/name': 'jitsi-shard',
      });
      expect(typeof room?.['@timestamp']).toBe('string');
      const ipv6 = documents.find((document) => document.client_port === 45904);
      expect(ipv6?.client_address).toBe(ipv6Prefix === 0 ? '::' : ipv6Prefix === 32 ? '2001:db8::' : '2001:db8:85a3::');
    });
  });

  describe('WHEN privacy is keep', () => {
    it('THEN the addresses reach Elasticsearch whole (the lua filter is left out)', async () => {
      const fake = await startFakeElasticsearch({ users: { [SHIPPER_USER]: SHIPPER_PASSWORD } });
      try {
        const rendered = renderShipper({ privacy: { clientAddresses: 'keep' } });
        const run = runShipperPipeline(rendered.files, shipperEnv(rendered.daemonSet), LOGS);
        for (const output of run.outputs.filter((candidate) => candidate.records.length > 0)) await postBulk(fake.url, output);
        expect(fake.refused).toEqual([]);
        const stored = new Set([...fake.dataStreams.values()].flat().flatMap(stringsOf).flatMap(addressesIn));
        expect(INPUT_ADDRESSES.filter((address) => !stored.has(address))).toEqual([]);
      } finally {
        await fake.close();
      }
    });
  });
});
