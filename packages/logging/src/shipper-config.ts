import { join } from 'node:path';

import { and, each, eq, type HelmChart, isEmpty, joined, json, not, readChartText, requireUnique, when } from '@meetscale/chart-toolkit';

import type { LoggingValues } from './values';

const FILES_DIR = join(__dirname, '..', 'files', 'shipper');

/** Where the shipper's pod has what its configuration names (the DaemonSet mounts them there). */
export const SHIPPER_PATHS = {
  /** The `F-shipper` ConfigMap: the keys of {@link shipperConfigData}. */
  config: '/fluent-bit/etc',
  /** The node's container logs (`/var/log` of the node, read-only). */
  containerLogs: '/var/log/containers',
  /** A directory of the node kept across restarts: the tail database and the filesystem buffer. */
  state: '/var/fluent-bit/state',
  /** The `ca.crt` of Secret `F-es-http-certs-public`, the CA of Elasticsearch's HTTP certificate. */
  esCaFile: '/fluent-bit/es-ca/ca.crt',
} as const;

/** The port of Fluent Bit's HTTP server: `/api/v1/health` and `/api/v1/metrics/prometheus`. */
export const SHIPPER_HTTP_PORT = 2020;

/** `parsers.yaml`: the parsers and the multiline parser, static (files/shipper/parsers.yaml). */
export const SHIPPER_PARSERS = readChartText(join(FILES_DIR, 'parsers.yaml'));

/** `mask.lua`: the filter masking IP addresses (files/shipper/mask.lua). */
export const SHIPPER_MASK_SCRIPT = readChartText(join(FILES_DIR, 'mask.lua'));

/** The function of `mask.lua` the lua filter calls. */
export const MASK_FUNCTION = 'mask_addresses';

/**
 * The parsers (of `parsers.yaml`) tried, in order, on the `log` of each container by name: the containers of the
 * meetscale charts (jitsi-shard: web, prosody, jicofo, jvb; haproxy; coturn). A line no parser reads keeps only its
 * `log`.
 */
export const CONTAINER_PARSERS: Readonly<Record<string, readonly string[]>> = {
  web: ['meetscale-nginx-access', 'meetscale-nginx-error'],
  haproxy: ['meetscale-haproxy-http', 'meetscale-haproxy-server', 'meetscale-haproxy-stderr'],
  prosody: ['meetscale-prosody'],
  coturn: ['meetscale-coturn'],
  jicofo: ['meetscale-jitsi-java'],
  jvb: ['meetscale-jitsi-java'],
};

/** The multiline parser (of `parsers.yaml`) joining a Java record and its stack trace, and the containers it is for. */
export const JAVA_MULTILINE = { parser: 'meetscale-jitsi-java-trace', containers: ['jicofo', 'jvb'] } as const;

/**
 * The start of the tag of a container's log, up to the container's name. The tail input tags a record with the
 * file's path (`kube.*`), and the kubelet names the file `<pod>_<namespace>_<container>-<container id>.log`; pod,
 * namespace and container names hold no `_`.
 */
const TAG_PREFIX = String.raw`^kube\.var\.log\.containers\.[^_]+_[^_]+_`;
/** The end of the tag after the container's name. */
const TAG_SUFFIX = String.raw`-[0-9a-f]{64}\.log$`;

/** `Match_Regex` for the logs of these containers (names of a fixed list, or a template value joined by `|`). */
function containersTag(names: string): string {
  return `${TAG_PREFIX}(?:${names})${TAG_SUFFIX}`;
}

/** A YAML list of plain scalars, in flow style. */
function flowList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/**
 * The data of the shipper's ConfigMap (`F-shipper`, mounted at `/fluent-bit/etc`): `fluent-bit.yaml`, Fluent Bit's
 * configuration in its YAML format, `parsers.yaml` and `mask.lua`.
 *
 * The pipeline reads every container log of the node (CRI lines, partial lines joined), joins the Java stack traces
 * of jicofo and the videobridges into their records, adds the Kubernetes metadata, parses the lines of the
 * containers {@link CONTAINER_PARSERS} knows (keeping `log`), masks IP addresses unless
 * `privacy.clientAddresses` is `keep`, and sends each record to the data stream of the stream listing its container,
 * or of `defaultStream`: one `es` output per stream, chosen by the record's tag. Elasticsearch's address and the
 * shipper's credentials come from the environment the DaemonSet sets (`ES_HOST`, `ES_PORT`, `ES_USERNAME`,
 * `ES_PASSWORD`), the masking settings too (`MASK_MODE`, `MASK_IPV4_PREFIX`, `MASK_IPV6_PREFIX`).
 *
 * The multiline filter comes first: the records it joins re-enter the pipeline through its emitter and pass the
 * other filters once.
 */
export function shipperConfigData(chart: HelmChart<LoggingValues>): Record<string, string> {
  return {
    // a named template: its first action (the streams' rule) may trim the text's start
    'fluent-bit.yaml': String(chart.defineText('fluent-bit-config', fluentBitConfig(chart))),
    'parsers.yaml': SHIPPER_PARSERS,
    'mask.lua': SHIPPER_MASK_SCRIPT,
  };
}

function fluentBitConfig(chart: HelmChart<LoggingValues>): string {
  const v = chart.values;
  const s = v.shipper;
  const parserFilters = Object.entries(CONTAINER_PARSERS)
    .map(
      ([container, parsers]) => `    - name: parser
      alias: parse-${container}
      match_regex: '${containersTag(container)}'
      key_name: log
      parser: ${flowList(parsers)}
      reserve_data: on
      preserve_key: on
`,
    )
    .join('');
  // every container some stream other than the default one lists, as alternatives of a regular expression; the
  // last alternative never matches, so a trailing `|` or an empty list leaves a valid expression
  const listedElsewhere = `${each(v.streams, (stream, name) =>
    when(and(not(eq(name, v.defaultStream)), not(isEmpty(stream.containers))), `${joined(stream.containers, '|')}|`),
  )}(?!)`;
  const output = (stream: string, matchRegex: string, comment: string): string => `    # ${comment}
    - name: es
      alias: es-${stream}
      match_regex: '${matchRegex}'
      host: \${ES_HOST}
      port: \${ES_PORT}
      tls: on
      tls.verify: on
      tls.verify_hostname: on
      tls.ca_file: ${SHIPPER_PATHS.esCaFile}
      http_user: \${ES_USERNAME}
      http_passwd: \${ES_PASSWORD}
      index: logs-meetscale.${stream}-default
      write_operation: create
      suppress_type_name: on
      replace_dots: on
      trace_error: on
      buffer_size: 1MB
      # a chunk Elasticsearch does not take is retried until it does (backoff of at most 2000 s); the chunks waiting
      # for this output take at most 512MB of the node's disk, the oldest going first
      retry_limit: no_limits
      storage.total_limit_size: 512MB
`;
  // a container in two streams would be shipped into both
  const oneStreamEach = requireUnique(
    v.streams,
    'containers',
    'streams: a container is listed in two streams (set the one it leaves to null, or drop it from its list)',
  );
  return `${oneStreamEach}# Fluent Bit of release ${chart.release.name}, rendered by the logging chart: every container log of the node,
# with Kubernetes metadata, parsed, client addresses masked, to one data stream per stream of the values.
service:
  flush: ${s.flushSeconds}
  log_level: info
  parsers_file: ${SHIPPER_PATHS.config}/parsers.yaml
  http_server: on
  http_listen: 0.0.0.0
  http_port: ${SHIPPER_HTTP_PORT}
  # /api/v1/health fails after 5 output errors or 5 exhausted retries within a minute
  health_check: on
  hc_errors_count: 5
  hc_retry_failure_count: 5
  hc_period: 60
  # chunks that do not fit in memory, and those not yet sent when the pod stops, wait on the node's disk
  storage.path: ${SHIPPER_PATHS.state}/buffer
  storage.sync: normal
  storage.backlog.mem_limit: 16MB
  storage.metrics: on

pipeline:
  inputs:
    - name: tail
      tag: kube.*
      path: ${SHIPPER_PATHS.containerLogs}/*.log
      # containerd writes CRI lines and splits long ones (P); both parsers join a split line again
      multiline.parser: cri, docker
      # a file the database does not know yet (a node's first start) is read from its start; the others resume
      db: ${SHIPPER_PATHS.state}/tail.db
      db.locking: true
      read_from_head: on
      mem_buf_limit: ${json(s.memBufLimit)}
      storage.type: filesystem
      buffer_max_size: 64KB
      skip_long_lines: on
      refresh_interval: 10

  filters:
    # a Java record of jicofo or a videobridge and the stack trace printed after it become one record
    - name: multiline
      alias: java-stack-traces
      match_regex: '${containersTag(JAVA_MULTILINE.containers.join('|'))}'
      multiline.key_content: log
      multiline.parser: ${JAVA_MULTILINE.parser}
      buffer: on
      flush_ms: 2000
      # the joined records wait for the outputs on disk, as the tail input's do
      emitter_storage.type: filesystem

    - name: kubernetes
      match: kube.*
      kube_tag_prefix: kube.var.log.containers.
      merge_log: off
      keep_log: on
      labels: on
      annotations: off
      buffer_size: 256KB

    # the CRI parser's own keys: \`time\` is the record's time already
    - name: modify
      match: kube.*
      remove: [_p, time]

${parserFilters}${when(
    not(eq(v.privacy.clientAddresses, 'keep')),
    `
    # client addresses (privacy.clientAddresses): mask.lua reads MASK_MODE, MASK_IPV4_PREFIX and MASK_IPV6_PREFIX
    - name: lua
      alias: mask-addresses
      match: kube.*
      script: ${SHIPPER_PATHS.config}/mask.lua
      call: ${MASK_FUNCTION}
`,
  )}
  outputs:
${each(v.streams, (stream, name) =>
  when(
    and(not(eq(name, v.defaultStream)), not(isEmpty(stream.containers))),
    output(String(name), containersTag(String(joined(stream.containers, '|'))), `stream ${name}: its containers`),
  ),
)}${output(
    String(v.defaultStream),
    `${TAG_PREFIX}(?!(?:${listedElsewhere})${TAG_SUFFIX})`,
    `defaultStream ${v.defaultStream}: every container no other stream lists`,
  )}`;
}
