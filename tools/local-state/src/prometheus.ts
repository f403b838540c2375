/**
 * A real Prometheus server (the pinned release of `@meetscale/prometheus-tools`) on a loopback port, with a
 * configuration written for one test, and fake exporters it can scrape: what rules, alerts and the metrics
 * adapter are tested against.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freeLoopbackPort, waitFor } from '@meetscale/cluster';
import { ensurePrometheusTools } from '@meetscale/prometheus-tools';
import YAML from 'yaml';

import { type ServerProcess, startServerProcess } from './processes';

/** What {@link startPrometheus} configures. */
export interface PrometheusOptions {
  /** The `scrape_configs` entries, as Prometheus reads them (`job_name`, `static_configs`, `relabel_configs`, ...). */
  readonly scrapeConfigs: readonly object[];
  /**
   * Rule files by file name (`jvb.yaml`), each the YAML text of a rule file (`groups: [...]`).
   * @default - no rules
   */
  readonly ruleFiles?: Readonly<Record<string, string>>;
  /**
   * How often the rules are evaluated (`global.evaluation_interval`).
   * @default '1s'
   */
  readonly evaluationInterval?: string;
  /**
   * How often targets are scraped (`global.scrape_interval`).
   * @default '1s'
   */
  readonly scrapeInterval?: string;
  /**
   * How long to wait for `/-/ready` before giving up (the server is stopped then).
   * @default 30000
   */
  readonly readyTimeoutMs?: number;
}

/** One sample of an instant vector. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  /** `[unix seconds, value as text]`. */
  readonly value: readonly [number, string];
}

/** One series of a range query. */
export interface PromSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: ReadonlyArray<readonly [number, string]>;
}

/** An active alert, as `/api/v1/alerts` lists it. */
export interface PromAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
}

/** A rule group, as `/api/v1/rules` lists it (each rule with its `health`, `lastError` and, for alerts, `state`). */
export interface PromRuleGroup {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly any[];
}

/** Options of {@link RunningPrometheus.waitFor}. */
export interface PrometheusWaitOptions {
  /** The longest wait; keep it under 30 s in tests. */
  readonly timeoutMs: number;
  /**
   * What is waited for, for the timeout message.
   * @default 'the condition'
   */
  readonly what?: string;
  /**
   * Time between two probes.
   * @default 250
   */
  readonly intervalMs?: number;
}

/** A Prometheus server started by {@link startPrometheus}. */
export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The folder holding the configuration, the rule files and the TSDB; removed by {@link stop}. */
  readonly dir: string;
  /** An instant query now; a scalar result comes back as one sample without labels. */
  query(expr: string): Promise<PromSample[]>;
  /** A range query over `[start, end]` (unix seconds) with `step` seconds. */
  queryRange(expr: string, range: { start: number; end: number; step: number }): Promise<PromSeries[]>;
  /** The active (pending and firing) alerts. */
  alerts(): Promise<PromAlert[]>;
  /** The rule groups with their evaluation state. */
  rules(): Promise<PromRuleGroup[]>;
  /**
   * Probes until `probe` returns something other than `undefined` or `false`, and returns it.
   * @throws after `timeoutMs`, with the last probe error and the end of the server's output; at once when the
   * server has exited
   */
  waitFor<T>(probe: () => Promise<T | undefined | false>, options: PrometheusWaitOptions): Promise<T>;
  /** The end of the server's standard output and error, for failure messages. */
  output(): string;
  /** Stops the server and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** The result of an API call that did not succeed. */
export class PrometheusApiError extends Error {
  /**
   * @param path the request path
   * @param status the HTTP status
   * @param body the response text
   */
  constructor(
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`GET ${path}: ${status} ${body.slice(0, 500)}`);
    this.name = 'PrometheusApiError';
  }
}

/** A `/api/v1/...` GET answered with `status: success`; its `data`. */
async function _apiData(url: string, path: string): Promise<unknown> {
  const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let parsed: { status?: string; data?: unknown } | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // not JSON: reported below
  }
  if (!response.ok || parsed?.status !== 'success') throw new PrometheusApiError(path, response.status, text);
  return parsed.data;
}

/** A file name for a rule file: no folders, nothing hidden. */
const RULE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Starts the pinned Prometheus server on a free port of 127.0.0.1 with the given scrape configurations and rule
 * files, its TSDB in a temporary folder, and resolves once `/-/ready` answers 200. Stop it in `afterAll`/`finally`
 * (it is killed anyway when the test process exits).
 * @throws when a rule file name is not a plain file name, or the server does not get ready in time (with its output)
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const ruleFiles = Object.entries(options.ruleFiles ?? {});
  for (const [name] of ruleFiles)
    if (!RULE_FILE_NAME.test(name)) throw new Error(`rule file name ${JSON.stringify(name)} is not a plain file name`);
  const binary = ensurePrometheusTools().prometheus;
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-prometheus-'));
  try {
    mkdirSync(join(dir, 'rules'));
    for (const [name, text] of ruleFiles) writeFileSync(join(dir, 'rules', name), text);
    const config = {
      global: { scrape_interval: options.scrapeInterval ?? '1s', evaluation_interval: options.evaluationInterval ?? '1s' },
      rule_files: ruleFiles.map(([name]) => join(dir, 'rules', name)),
      scrape_configs: options.scrapeConfigs,
    };
    writeFileSync(join(dir, 'prometheus.yaml'), YAML.stringify(config));
    // the port is free when chosen, but another process may take it first: then start once more on a fresh one
    for (let attempt = 1; ; attempt += 1) {
      const port = await freeLoopbackPort();
      const server = startServerProcess(binary, [
        `--config.file=${join(dir, 'prometheus.yaml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ]);
      try {
        return await _whenReady(server, `http://127.0.0.1:${port}`, dir, options.readyTimeoutMs ?? 30_000);
      } catch (error) {
        await server.stop();
        if (attempt < 2 && server.output().includes('address already in use')) continue;
        throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Waits for a started server's `/-/ready` and wraps it. */
async function _whenReady(server: ServerProcess, url: string, dir: string, timeoutMs: number): Promise<RunningPrometheus> {
  const failure = (message: string): Error => new Error(`${message}\n--- prometheus output ---\n${server.output().slice(-4_000)}`);
  const waitUntil = async <T>(probe: () => Promise<T | undefined | false>, wait: PrometheusWaitOptions): Promise<T> => {
    try {
      return await waitFor(
        wait.what ?? 'the condition',
        async () => {
          if (server.exited || server.spawnError !== undefined)
            throw new Error(`prometheus is not running: ${server.spawnError?.message ?? 'it exited'}`);
          const value = await probe();
          return value === false ? undefined : value;
        },
        wait.timeoutMs,
        wait.intervalMs ?? 250,
      );
    } catch (error) {
      throw failure((error as Error).message);
    }
  };
  await waitUntil(
    async () => {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      return response.status === 200;
    },
    { timeoutMs, what: `prometheus at ${url} to be ready` },
  );
  let stopped: Promise<void> | undefined;
  return {
    url,
    dir,
    query: async (expr) => {
      const data = (await _apiData(url, `/api/v1/query?query=${encodeURIComponent(expr)}`)) as { resultType: string; result: unknown };
      if (data.resultType === 'vector') return data.result as PromSample[];
      if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
      throw new Error(`${expr} is a ${data.resultType}, not an instant vector or scalar`);
    },
    queryRange: async (expr, range) => {
      const query = new URLSearchParams({ query: expr, start: String(range.start), end: String(range.end), step: String(range.step) });
      return ((await _apiData(url, `/api/v1/query_range?${query.toString()}`)) as { result: PromSeries[] }).result;
    },
    alerts: async () => ((await _apiData(url, '/api/v1/alerts')) as { alerts: PromAlert[] }).alerts,
    rules: async () => ((await _apiData(url, '/api/v1/rules')) as { groups: PromRuleGroup[] }).groups,
    waitFor: waitUntil,
    output: () => server.output(),
    stop: () =>
      (stopped ??= (async () => {
        try {
          await server.stop();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      })()),
  };
}

/** A fake exporter started by {@link startFakeExporter}. */
export interface FakeExporter {
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** `127.0.0.1:<port>`, for a scrape config's `static_configs` (`metrics_path` is Prometheus' default, `/metrics`). */
  readonly target: string;
  /** Replaces the text served from the next scrape on. */
  set(text: string): void;
  /** Closes the server. Safe to call twice. */
  stop(): Promise<void>;
}

/** The content type of the Prometheus text exposition format. */
const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * An HTTP server on a free port of 127.0.0.1 that serves `text` (Prometheus text exposition format, e.g.
 * `# TYPE x gauge\nx{pod="a"} 0.9\n`) on `/metrics`, and 404 elsewhere.
 */
export async function startFakeExporter(text: string): Promise<FakeExporter> {
  let current = text;
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url?.split('?')[0] === '/metrics') {
      response.writeHead(200, { 'content-type': TEXT_FORMAT });
      response.end(current);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fake exporter got no TCP port');
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}/metrics`,
    port: address.port,
    target: `127.0.0.1:${address.port}`,
    set: (next) => {
      current = next;
    },
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
