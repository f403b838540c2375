/**
 * The logging chart's shipper, Fluent Bit, emulated for tests from its rendered configuration. Fluent Bit itself
 * cannot be obtained here: it is packaged in neither Debian bookworm, PyPI, npm nor the Go module proxy, and is not
 * built by the test suite. So every step runs what Fluent Bit embeds for it where there is such an engine, and
 * follows Fluent Bit 5.1's source where there is not:
 *
 * - regular expressions (parsers, multiline rules, `match_regex`) in Ruby, whose regex engine is Onigmo, the library
 *   Fluent Bit compiles them with (src/flb_regex.c: `onig_new(..., ONIG_ENCODING_UTF8, ONIG_SYNTAX_RUBY)`);
 * - the lua filter in LuaJIT, Fluent Bit's Lua, called as plugins/filter_lua calls it;
 * - the tail input's `cri` multiline parser (src/multiline/flb_ml_parser_cri.c), the multiline state machine
 *   (src/multiline/flb_ml_rule.c), the parser filter's `reserve_data`/`preserve_key` (plugins/filter_parser), the
 *   modify filter's `remove`, and the es output's bulk body (plugins/out_es/es.c) as those files do them;
 * - the kubernetes filter adds the metadata the test gives (it would read it from the API server).
 *
 * A filter or output the emulation does not know fails the run, so a test covers every step the configuration has.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import YAML from 'yaml';

import { HELM_MAJORS, type Manifest, renderChart, WORKSPACE_ROOT } from './charts';

/** Debian's Ruby and LuaJIT (tools/system-deps/debian-packages.txt). */
export const RUBY_BIN = existsSync('/usr/bin/ruby') ? '/usr/bin/ruby' : 'ruby';
export const LUAJIT_BIN = existsSync('/usr/bin/luajit') ? '/usr/bin/luajit' : 'luajit';

/** How long one Ruby or LuaJIT run may take. */
const RUN_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------------------------
// Onigmo, through Ruby
// ---------------------------------------------------------------------------------------------------------------

/** One regular expression applied to one text. */
export interface OnigmoQuery {
  /** The pattern as written in the configuration; `/.../` is stripped as flb_regex.c's str_to_regex does. */
  readonly pattern: string;
  readonly subject: string;
  /**
   * Match at the start only, as the router matches a tag against `match_regex` (`onig_match` at offset 0, in
   * src/flb_router.c); otherwise search, as parsers and multiline rules do (`onig_search`).
   */
  readonly anchored?: boolean;
}

/** A match: its length and its named groups (null for a group that took no part). */
export interface OnigmoMatch {
  readonly length: number;
  readonly captures: Readonly<Record<string, string | null>>;
}

const RUBY_ORACLE = String.raw`
require 'json'
queries = JSON.parse(STDIN.read)
cache = {}
results = queries.map do |query|
  source = query['pattern']
  source = source[1..-2] if source.length > 1 && source.start_with?('/') && source.end_with?('/')
  key = [source, query['anchored']]
  regex = cache[key] ||= begin
    Regexp.new(query['anchored'] ? "\\A(?:#{source})" : source)
  rescue RegexpError => error
    { 'error' => error.message }
  end
  next regex if regex.is_a?(Hash)
  match = regex.match(query['subject'])
  match && { 'length' => match.end(0) - match.begin(0), 'captures' => match.named_captures }
end
STDOUT.write(JSON.generate(results))
`;

/** Runs the queries in one Ruby process; throws when a pattern does not compile. */
export function onigmo(queries: readonly OnigmoQuery[]): Array<OnigmoMatch | null> {
  if (queries.length === 0) return [];
  const run = spawnSync(RUBY_BIN, ['-e', RUBY_ORACLE], {
    input: JSON.stringify(queries),
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`ruby failed (${run.status ?? run.signal}): ${run.stderr}`);
  const results = JSON.parse(run.stdout) as Array<OnigmoMatch | { error: string } | null>;
  return results.map((result, index) => {
    if (result !== null && 'error' in result) throw new Error(`Onigmo refuses ${queries[index]?.pattern}: ${result.error}`);
    return result;
  });
}

/** Whether a tag is matched by `match_regex` as the router matches it: at the start, by a non-empty match. */
export function tagMatches(pattern: string, tags: readonly string[]): boolean[] {
  return onigmo(tags.map((subject) => ({ pattern, subject, anchored: true }))).map((match) => match !== null && match.length > 0);
}

/** `match`: a tag pattern whose `*` stands for any text (src/flb_router.c). */
function globMatches(pattern: string, tag: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`).test(tag);
}

// ---------------------------------------------------------------------------------------------------------------
// The configuration
// ---------------------------------------------------------------------------------------------------------------

/** A section of `pipeline` (an input, filter or output): its properties, keys in lower case. */
export type PluginSection = Readonly<Record<string, unknown>> & { readonly name: string };

/** `fluent-bit.yaml` as read: the service properties and the pipeline. */
export interface FluentBitConfig {
  readonly service: Readonly<Record<string, unknown>>;
  readonly inputs: readonly PluginSection[];
  readonly filters: readonly PluginSection[];
  readonly outputs: readonly PluginSection[];
}

function lowerKeys(section: Record<string, unknown>): PluginSection {
  return Object.fromEntries(Object.entries(section).map(([key, value]) => [key.toLowerCase(), value])) as PluginSection;
}

/** Reads `fluent-bit.yaml`. */
export function readFluentBitConfig(text: string): FluentBitConfig {
  const document = YAML.parse(text) as {
    service?: Record<string, unknown>;
    pipeline?: { inputs?: Record<string, unknown>[]; filters?: Record<string, unknown>[]; outputs?: Record<string, unknown>[] };
  };
  return {
    service: lowerKeys(document.service ?? {}),
    inputs: (document.pipeline?.inputs ?? []).map(lowerKeys),
    filters: (document.pipeline?.filters ?? []).map(lowerKeys),
    outputs: (document.pipeline?.outputs ?? []).map(lowerKeys),
  };
}

/** A parser of `parsers.yaml`. */
export interface ParserDefinition {
  readonly name: string;
  readonly format: string;
  readonly regex: string;
  readonly types?: string;
}

/** A rule of a regex multiline parser. */
export interface MultilineRule {
  readonly state: string;
  readonly regex: string;
  readonly next_state: string;
}

/** A multiline parser of `parsers.yaml`. */
export interface MultilineParserDefinition {
  readonly name: string;
  readonly type: string;
  readonly flush_timeout?: number;
  readonly rules: readonly MultilineRule[];
}

/** The parsers of `parsers.yaml`, by name. */
export interface ParsersFile {
  readonly parsers: ReadonlyMap<string, ParserDefinition>;
  readonly multilineParsers: ReadonlyMap<string, MultilineParserDefinition>;
}

/** Reads `parsers.yaml`. */
export function readParsersFile(text: string): ParsersFile {
  const document = YAML.parse(text) as { parsers?: ParserDefinition[]; multiline_parsers?: MultilineParserDefinition[] };
  return {
    parsers: new Map((document.parsers ?? []).map((parser) => [parser.name, parser])),
    multilineParsers: new Map((document.multiline_parsers ?? []).map((parser) => [parser.name, parser])),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsers
// ---------------------------------------------------------------------------------------------------------------

/** A record body. */
export type RecordBody = Record<string, unknown>;

/**
 * The fields a regex parser makes of a match (src/flb_parser_regex.c): every named group, but an empty or unmatched
 * one (`skip_empty_values`, on by default), with `types` applied (`integer` as strtoll reads it).
 */
export function parsedFields(parser: ParserDefinition, match: OnigmoMatch | null): RecordBody | null {
  if (match === null) return null;
  const types = new Map(
    (parser.types ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((entry) => entry.split(':') as [string, string]),
  );
  const fields: RecordBody = {};
  for (const [name, value] of Object.entries(match.captures)) {
    if (value === null || value === '') continue;
    const type = types.get(name);
    if (type === undefined) fields[name] = value;
    else if (type === 'integer') fields[name] = Number.parseInt(value, 10);
    else throw new Error(`parser ${parser.name}: type ${type} is not emulated`);
  }
  return fields;
}

/** Applies parsers to texts: for each text, the fields of the first parser that matches and its name, or null. */
export function parseTexts(
  parsers: readonly ParserDefinition[],
  texts: readonly string[],
): Array<{ parser: string; fields: RecordBody } | null> {
  const matches = onigmo(texts.flatMap((subject) => parsers.map((parser) => ({ pattern: parser.regex, subject }))));
  return texts.map((_text, index) => {
    for (let p = 0; p < parsers.length; p += 1) {
      const parser = parsers[p] as ParserDefinition;
      const fields = parsedFields(parser, matches[index * parsers.length + p] ?? null);
      if (fields !== null) return { parser: parser.name, fields };
    }
    return null;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Container logs as the tail input reads them
// ---------------------------------------------------------------------------------------------------------------

/** A record in the pipeline: its tag, its time (nanoseconds since the epoch) and body. */
export interface FluentRecord {
  readonly tag: string;
  readonly time: bigint;
  readonly body: RecordBody;
}

/** The log file of one container, as the kubelet names it, with the metadata the kubernetes filter would add. */
export interface ContainerLog {
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  /** 64 hex digits. */
  readonly containerId: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly podIp?: string;
  readonly node?: string;
  readonly image?: string;
  /** The file's content: CRI lines. */
  readonly text: string;
}

/** The tag the tail input (`tag: kube.*`) gives the records of a container's log file. */
export function containerTag(log: Pick<ContainerLog, 'pod' | 'namespace' | 'container' | 'containerId'>): string {
  return `kube.var.log.containers.${log.pod}_${log.namespace}_${log.container}-${log.containerId}.log`;
}

/** The line format of the `cri` multiline parser (src/multiline/flb_ml_parser_cri.c). */
const CRI_LINE = /^(.+?) (stdout|stderr) (F|P) (.*)$/;

/** RFC 3339 time with up to nine fraction digits, as nanoseconds since the epoch. */
export function nanoseconds(time: string): bigint {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/.exec(time);
  if (match === null) throw new Error(`not an RFC 3339 time: ${time}`);
  const seconds = BigInt(Date.parse(`${match[1]}${match[3]}`)) / 1000n;
  return seconds * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/**
 * The records of a CRI log file: each line's `time`, `stream`, `_p` and `log` (the parser keeps `time`), partial
 * (`P`) lines of a stream joined with the line that ends them (`F`), timed by their first line.
 */
export function criRecords(tag: string, text: string): FluentRecord[] {
  const records: FluentRecord[] = [];
  const pending = new Map<string, { time: string; p: string; log: string }>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = CRI_LINE.exec(line);
    if (match === null) throw new Error(`not a CRI log line: ${line}`);
    const [, time, stream, p, log] = match as unknown as [string, string, string, string, string];
    const started = pending.get(stream);
    const joined = started === undefined ? { time, p, log } : { ...started, log: started.log + log };
    if (p === 'P') {
      pending.set(stream, joined);
      continue;
    }
    pending.delete(stream);
    records.push({ tag, time: nanoseconds(joined.time), body: { time: joined.time, stream, _p: joined.p, log: joined.log } });
  }
  return records;
}

// ---------------------------------------------------------------------------------------------------------------
// The multiline filter
// ---------------------------------------------------------------------------------------------------------------

/**
 * The regex multiline state machine of src/multiline/flb_ml_rule.c on the records of one tag: in a continuation, a
 * line matching a rule of the current state's successors (not start rules) is appended after a newline; otherwise
 * a line matching a start rule flushes what was pending and starts a new record; a line matching neither flushes
 * what was pending and passes alone. A joined record keeps the first record's other fields and time.
 */
export function multilineRecords(parser: MultilineParserDefinition, keyContent: string, records: readonly FluentRecord[]): FluentRecord[] {
  const rules = parser.rules.map((rule) => ({ ...rule, start: rule.state.split(',').includes('start_state') }));
  const texts = records.map((record) => String(record.body[keyContent] ?? ''));
  const matches = onigmo(texts.flatMap((subject) => rules.map((rule) => ({ pattern: rule.regex, subject }))));
  const matched = (line: number, rule: number): boolean => matches[line * rules.length + rule] !== null;
  const out: FluentRecord[] = [];
  let group: { first: FluentRecord; lines: string[] } | undefined;
  let state: (typeof rules)[number] | undefined;
  const flush = (): void => {
    if (group !== undefined) out.push({ ...group.first, body: { ...group.first.body, [keyContent]: group.lines.join('\n') } });
    group = undefined;
  };
  records.forEach((record, line) => {
    let rule: number | undefined;
    if (state !== undefined && group !== undefined) {
      const from = state;
      rule = rules.findIndex(
        (candidate, index) => !candidate.start && candidate.state.split(',').includes(from.next_state) && matched(line, index),
      );
      if (rule >= 0) group.lines.push(texts[line] as string);
      else rule = undefined;
    }
    if (rule === undefined) {
      const start = rules.findIndex((candidate, index) => candidate.start && matched(line, index));
      if (start >= 0) {
        flush();
        group = { first: record, lines: [texts[line] as string] };
        rule = start;
      }
    }
    if (rule === undefined) {
      flush();
      state = undefined;
      out.push(record);
      return;
    }
    state = rules[rule];
  });
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The lua filter, in LuaJIT
// ---------------------------------------------------------------------------------------------------------------

/** A value as a Lua literal: strings with every byte that is not printable ASCII escaped as `\ddd`. */
export function luaLiteral(value: unknown): string {
  if (typeof value === 'string') {
    let text = '"';
    for (const byte of Buffer.from(value, 'utf8')) {
      text +=
        byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
    }
    return `${text}"`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `[${luaLiteral(key)}] = ${luaLiteral(item)}`)
      .join(', ')}}`;
  }
  throw new Error(`no Lua literal for ${String(value)}`);
}

/** What a lua filter call returned. */
export interface LuaResult {
  readonly code: number;
  readonly timestamp: number;
  readonly record: RecordBody;
}

const LUA_HARNESS = String.raw`
local function encode(value)
  local kind = type(value)
  if kind == 'string' then
    return '"' .. value:gsub('[%c"\\]', function(c) return string.format('\\u%04x', c:byte()) end) .. '"'
  elseif kind == 'number' then
    if value == math.floor(value) and math.abs(value) < 2^53 then return string.format('%d', value) end
    return string.format('%.17g', value)
  elseif kind == 'boolean' then
    return tostring(value)
  elseif kind == 'table' then
    local count = 0
    for _ in pairs(value) do count = count + 1 end
    if count > 0 and count == #value then
      local items = {}
      for i = 1, #value do items[i] = encode(value[i]) end
      return '[' .. table.concat(items, ',') .. ']'
    end
    local items = {}
    for key, item in pairs(value) do items[#items + 1] = encode(tostring(key)) .. ':' .. encode(item) end
    return '{' .. table.concat(items, ',') .. '}'
  end
  return 'null'
end
dofile(SCRIPT)
local call = _G[CALL]
for i = 1, #CALLS do
  local tag, timestamp, record = CALLS[i][1], CALLS[i][2], CALLS[i][3]
  local code, new_timestamp, new_record = call(tag, timestamp, record)
  io.write('{"code":', encode(code), ',"timestamp":', encode(new_timestamp or timestamp), ',"record":', encode(new_record), '}\n')
end
`;

/**
 * Calls a Lua filter function on records in one LuaJIT process, as plugins/filter_lua does with `time_as_table`
 * off: `call(tag, timestamp, record)` with the time as seconds (a number) and the record as a table, the script
 * loaded once with the given environment.
 */
export function runLuaFilter(
  script: string,
  call: string,
  env: Readonly<Record<string, string>>,
  calls: ReadonlyArray<{ tag: string; timestamp: number; record: RecordBody }>,
): LuaResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-lua-'));
  try {
    const scriptFile = join(dir, 'filter.lua');
    writeFileSync(scriptFile, script);
    const harness = join(dir, 'harness.lua');
    writeFileSync(
      harness,
      `SCRIPT = ${luaLiteral(scriptFile)}\nCALL = ${luaLiteral(call)}\nCALLS = {\n${calls
        .map((entry) => `  {${luaLiteral(entry.tag)}, ${entry.timestamp}, ${luaLiteral(entry.record)}},`)
        .join('\n')}\n}\n${LUA_HARNESS}`,
    );
    const run = spawnSync(LUAJIT_BIN, [harness], {
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
      maxBuffer: 256 * 1024 * 1024,
      // only what the DaemonSet sets for the filter, and the PATH
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    if (run.status !== 0) throw new Error(`luajit failed (${run.status ?? run.signal}): ${run.stderr}`);
    return run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LuaResult);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The pipeline
// ---------------------------------------------------------------------------------------------------------------

/** What one es output would send: its index and the records routed to it, and the `_bulk` body of them. */
export interface EsOutput {
  readonly alias: string;
  readonly index: string;
  readonly records: readonly FluentRecord[];
  /** The NDJSON body of one `_bulk` request holding every record. */
  readonly bulkBody: string;
  /** `http_user` and `http_passwd` with the environment's values in place of `${VAR}`. */
  readonly user: string;
  readonly password: string;
}

/** The shipper's pipeline, from its rendered ConfigMap data. */
export interface ShipperFiles {
  readonly 'fluent-bit.yaml': string;
  readonly 'parsers.yaml': string;
  readonly 'mask.lua': string;
}

/** The result of a run: the records after the filters, and what each output sends. */
export interface PipelineRun {
  readonly records: readonly FluentRecord[];
  readonly outputs: readonly EsOutput[];
}

/** Where the DaemonSet mounts the ConfigMap; the configuration names its files by these paths. */
const CONFIG_DIR = '/fluent-bit/etc';

function on(value: unknown): boolean {
  return ['on', 'true', 'yes', '1'].includes(String(value).toLowerCase());
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `${VAR}` of a property, from the environment (src/flb_env.c). */
function environment(value: unknown, env: Readonly<Record<string, string>>): string {
  return String(value).replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => env[name] ?? '');
}

function matching(section: PluginSection, tags: readonly string[]): Set<string> {
  const unique = [...new Set(tags)];
  if (section.match_regex !== undefined) {
    const results = tagMatches(String(section.match_regex), unique);
    return new Set(unique.filter((_tag, index) => results[index]));
  }
  if (section.match !== undefined) return new Set(unique.filter((tag) => globMatches(String(section.match), tag)));
  return new Set();
}

/** The kubernetes filter's `kubernetes` map of a container (kube_meta.c), labels only when `labels` is on. */
function kubernetesMetadata(log: ContainerLog, labels: boolean): RecordBody {
  return {
    pod_name: log.pod,
    namespace_name: log.namespace,
    pod_id: '8d1c5f0e-3b6a-4f7e-9a51-2c7d0b9e4a13',
    ...(labels ? { labels: { ...(log.labels ?? {}) } } : {}),
    host: log.node ?? 'node-1',
    pod_ip: log.podIp ?? '10.42.7.21',
    container_name: log.container,
    docker_id: log.containerId,
    container_image: log.image ?? `registry.example.org/${log.container}:1`,
  };
}

/** Replace_Dots: `.` in every key, at every depth, becomes `_` (es_pack_map_content). */
function replaceDots(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceDots);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.replaceAll('.', '_'), replaceDots(item)]));
  }
  return value;
}

/** The es output's `@timestamp`: UTC, milliseconds (`%Y-%m-%dT%H:%M:%S` and `.%03luZ`). */
function esTimestamp(time: bigint): string {
  return new Date(Number(time / 1_000_000n)).toISOString();
}

/**
 * Runs container logs through the pipeline of the rendered configuration: the tail input (CRI), then every filter
 * in order on the records whose tag it matches, then every output matching each record.
 */
export function runShipperPipeline(files: ShipperFiles, env: Readonly<Record<string, string>>, logs: readonly ContainerLog[]): PipelineRun {
  const config = readFluentBitConfig(files['fluent-bit.yaml']);
  const parsersFile = readParsersFile(files['parsers.yaml']);
  const byTag = new Map(logs.map((log) => [containerTag(log), log]));
  const [tail, ...otherInputs] = config.inputs;
  if (tail === undefined || tail.name !== 'tail' || otherInputs.length > 0) throw new Error('expected one tail input');
  if (!list(tail['multiline.parser']).includes('cri')) throw new Error('the tail input does not read CRI lines');
  if (String(config.service.parsers_file) !== `${CONFIG_DIR}/parsers.yaml`)
    throw new Error('parsers_file is not the ConfigMap parsers.yaml');

  let records: FluentRecord[] = logs.flatMap((log) => criRecords(containerTag(log), log.text));

  for (const filter of config.filters) {
    const selected = matching(
      filter,
      records.map((record) => record.tag),
    );
    const touched = records.filter((record) => selected.has(record.tag));
    if (touched.length === 0) continue;
    const untouched = records.filter((record) => !selected.has(record.tag));
    let result: FluentRecord[];
    switch (filter.name) {
      case 'multiline': {
        const parser = parsersFile.multilineParsers.get(String(filter['multiline.parser']));
        if (parser === undefined || parser.type !== 'regex')
          throw new Error(`multiline parser ${String(filter['multiline.parser'])} is not in parsers.yaml`);
        // one stream per tag (plugins/filter_multiline/ml.c); the joined records come back through the emitter
        result = [...new Set(touched.map((record) => record.tag))].flatMap((tag) =>
          multilineRecords(
            parser,
            String(filter['multiline.key_content']),
            touched.filter((record) => record.tag === tag),
          ),
        );
        break;
      }
      case 'kubernetes': {
        const prefix = String(filter.kube_tag_prefix ?? 'kube.var.log.containers.');
        result = touched.map((record) => {
          const log = byTag.get(record.tag);
          if (log === undefined || !record.tag.startsWith(prefix)) return record;
          return { ...record, body: { ...record.body, kubernetes: kubernetesMetadata(log, on(filter.labels ?? 'on')) } };
        });
        break;
      }
      case 'modify': {
        const removed = new Set(list(filter.remove));
        result = touched.map((record) => ({
          ...record,
          body: Object.fromEntries(Object.entries(record.body).filter(([key]) => !removed.has(key))),
        }));
        break;
      }
      case 'parser': {
        const key = String(filter.key_name);
        const parsers = list(filter.parser).map((name) => {
          const parser = parsersFile.parsers.get(name);
          if (parser === undefined) throw new Error(`parser ${name} is not in parsers.yaml`);
          return parser;
        });
        const parsed = parseTexts(
          parsers,
          touched.map((record) => String(record.body[key] ?? '')),
        );
        const reserve = on(filter.reserve_data ?? 'off');
        const preserve = on(filter.preserve_key ?? 'off');
        result = touched.map((record, index) => {
          const outcome = parsed[index];
          if (outcome === null || outcome === undefined) return record;
          // the parsed fields, then the record's own (filter_parser.c: flb_msgpack_expand_map)
          const kept = Object.entries(record.body).filter(([name]) => (reserve ? preserve || name !== key : preserve && name === key));
          for (const [name] of kept) {
            if (name in outcome.fields) throw new Error(`parser ${outcome.parser} writes ${name}, which the record has: a duplicate key`);
          }
          return { ...record, body: { ...outcome.fields, ...Object.fromEntries(kept) } };
        });
        break;
      }
      case 'lua': {
        const script = String(filter.script);
        if (!script.startsWith(`${CONFIG_DIR}/`)) throw new Error(`lua script ${script} is not in the ConfigMap`);
        const name = script.slice(CONFIG_DIR.length + 1);
        if (name !== 'mask.lua') throw new Error(`lua script ${name} is not a key of the ConfigMap`);
        const results = runLuaFilter(
          files['mask.lua'],
          String(filter.call),
          env,
          touched.map((record) => ({ tag: record.tag, timestamp: Number(record.time) / 1e9, record: record.body })),
        );
        result = touched.flatMap((record, index) => {
          const outcome = results[index] as LuaResult;
          if (outcome.code === -1) return [];
          if (outcome.code === 0) return [record];
          if (outcome.code === 1) return [{ ...record, time: BigInt(Math.round(outcome.timestamp * 1e9)), body: outcome.record }];
          if (outcome.code === 2) return [{ ...record, body: outcome.record }];
          throw new Error(`lua filter returned ${outcome.code}`);
        });
        break;
      }
      default:
        throw new Error(`the emulation has no ${filter.name} filter`);
    }
    records = [...untouched, ...result];
  }

  const outputs = config.outputs.map((output): EsOutput => {
    if (output.name !== 'es') throw new Error(`the emulation has no ${output.name} output`);
    if (String(output.write_operation) !== 'create' || !on(output.suppress_type_name)) {
      throw new Error(`output ${String(output.alias)}: a data stream takes create actions without a type`);
    }
    const selected = matching(
      output,
      records.map((record) => record.tag),
    );
    const routed = records.filter((record) => selected.has(record.tag));
    const index = String(output.index);
    const dots = on(output.replace_dots ?? 'off');
    const bulkBody = routed
      .map((record) => {
        const document = { '@timestamp': esTimestamp(record.time), ...((dots ? replaceDots(record.body) : record.body) as RecordBody) };
        return `${JSON.stringify({ create: { _index: index } })}\n${JSON.stringify(document)}\n`;
      })
      .join('');
    return {
      alias: String(output.alias),
      index,
      records: routed,
      bulkBody,
      user: environment(output.http_user, env),
      password: environment(output.http_passwd, env),
    };
  });
  return { records, outputs };
}

// ---------------------------------------------------------------------------------------------------------------
// The logging chart, rendered
// ---------------------------------------------------------------------------------------------------------------

/** The shipper's files in the chart package, which the chart reads into its ConfigMap (files/shipper/). */
export const SHIPPER_SOURCE_FILES = {
  parsers: join(WORKSPACE_ROOT, 'packages', 'logging', 'files', 'shipper', 'parsers.yaml'),
  mask: join(WORKSPACE_ROOT, 'packages', 'logging', 'files', 'shipper', 'mask.lua'),
} as const;

/** The shipper's objects of a rendering: its ConfigMap's files and its DaemonSet. */
export interface RenderedShipper {
  readonly files: ShipperFiles;
  readonly daemonSet: Manifest | undefined;
  readonly manifests: readonly Manifest[];
}

/** Renders the logging chart (`charts/logging`, as `npm run build` writes it) with real Helm and these values. */
export function renderShipper(values: unknown, release = 'logs', namespace = 'logging'): RenderedShipper {
  const helm = HELM_MAJORS[HELM_MAJORS.length - 1] as (typeof HELM_MAJORS)[number];
  const result = renderChart(helm, 'logging', { release, namespace, values });
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  const configMap = result.manifests.find(
    (manifest) =>
      manifest.kind === 'ConfigMap' && typeof (manifest.data as Record<string, unknown> | undefined)?.['fluent-bit.yaml'] === 'string',
  );
  if (configMap === undefined) throw new Error('no ConfigMap holds fluent-bit.yaml');
  return {
    files: configMap.data as unknown as ShipperFiles,
    daemonSet: result.manifests.find(
      (manifest) => manifest.kind === 'DaemonSet' && manifest.metadata.labels?.['app.kubernetes.io/component'] === 'shipper',
    ),
    manifests: result.manifests,
  };
}
