import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { LineCounter, parseAllDocuments } from 'yaml';

import { ensureTrivy } from './trivy-tool';

/** Trivy's severities, lowest first. */
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** One of Trivy's severities. */
export type Severity = (typeof SEVERITIES)[number];

/** One failed check, as Trivy reports it. */
export interface TrivyFinding {
  /** The check id, e.g. `KSV-0017` (the `ID` of Trivy's report, which its ignore file matches). */
  readonly id: string;
  readonly severity: Severity;
  /** What the check is about, e.g. `Privileged container`. */
  readonly title: string;
  /** The scanned file, relative to the scanned folder, with `/` separators. */
  readonly file: string;
  /** `Kind/name` of the object the finding is about. */
  readonly resource: string;
  /** What is wrong with this object, e.g. `Container 'web' of Pod 'demo' should set 'securityContext.privileged' to false`. */
  readonly message: string;
  /** How to fix it. */
  readonly resolution: string;
}

/** Options of {@link scanConfig}. */
export interface ScanConfigOptions {
  /**
   * The Trivy binary to run.
   * @default - the pinned build, built first when missing (see {@link ensureTrivy})
   */
  readonly trivy?: string;
  /**
   * The Kubernetes version the checks for deprecated and removed APIs assume, e.g. `1.33`.
   * @default - Trivy's own default
   */
  readonly kubernetesVersion?: string;
}

/** Thrown when Trivy fails or writes a report that cannot be read. */
export class TrivyScanError extends Error {
  /**
   * @param dir the scanned folder
   * @param output what Trivy printed
   */
  constructor(
    readonly dir: string,
    readonly output: string,
  ) {
    super(`trivy config ${dir} failed:\n${output.trim()}`);
    this.name = 'TrivyScanError';
  }
}

/**
 * Runs `trivy config` with its Kubernetes checks over the manifests in `dir` and returns every failed check,
 * sorted by file, id and message. The run is offline and isolated: it contacts no host, reads no user or
 * workspace configuration, and leaves nothing behind (see {@link trivyConfigArgs}).
 * @throws {TrivyScanError} when Trivy fails
 */
export function scanConfig(dir: string, options: ScanConfigOptions = {}): TrivyFinding[] {
  const trivy = options.trivy ?? ensureTrivy();
  const scanned = path.resolve(dir);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-trivy-'));
  try {
    const report = path.join(work, 'report.json');
    const args = [
      ...trivyConfigArgs(work, report),
      ...(options.kubernetesVersion === undefined ? [] : ['--k8s-version', options.kubernetesVersion]),
    ];
    const result = spawnSync(trivy, [...args, scanned], {
      cwd: work,
      env: isolatedEnv(work),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error !== undefined || result.status !== 0 || !fs.existsSync(report)) {
      throw new TrivyScanError(scanned, result.error !== undefined ? `trivy: ${result.error.message}` : `${result.stdout}${result.stderr}`);
    }
    return findingsOf(JSON.parse(fs.readFileSync(report, 'utf8')) as TrivyReport, scanned);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The arguments of an offline, isolated `trivy config` run over the Kubernetes checks compiled into the binary,
 * writing a JSON report to `report` (the folder to scan goes last). What each flag stops, checked against Trivy's
 * source, is in this project's README ("Offline and isolated").
 */
export function trivyConfigArgs(work: string, report: string): string[] {
  return [
    'config',
    '--cache-dir',
    path.join(work, 'cache'),
    '--skip-check-update',
    '--skip-version-check',
    '--disable-telemetry',
    '--module-dir',
    path.join(work, 'modules'),
    '--misconfig-scanners',
    'kubernetes',
    '--format',
    'json',
    '--output',
    report,
  ];
}

/**
 * The environment Trivy runs in: the caller's without any `TRIVY_*` setting (each would override a flag), with
 * `HOME` and the XDG folders in the scratch folder so no user configuration (registry credentials, config files)
 * is read. Trivy also runs in the scratch folder, so no `trivy.yaml` or `.trivyignore` of the caller applies.
 */
function isolatedEnv(work: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TRIVY_')));
  return {
    ...env,
    HOME: work,
    XDG_CACHE_HOME: path.join(work, 'xdg-cache'),
    XDG_CONFIG_HOME: path.join(work, 'xdg-config'),
    XDG_DATA_HOME: path.join(work, 'xdg-data'),
  };
}

/** The part of Trivy's JSON report read here. */
interface TrivyReport {
  readonly Results?: ReadonlyArray<{
    readonly Target: string;
    readonly Misconfigurations?: ReadonlyArray<{
      readonly ID: string;
      readonly Title?: string;
      readonly Message?: string;
      readonly Resolution?: string;
      readonly Severity: string;
      readonly Status?: string;
      readonly CauseMetadata?: { readonly Resource?: string; readonly StartLine?: number };
    }>;
  }>;
}

function findingsOf(report: TrivyReport, scanned: string): TrivyFinding[] {
  const findings: TrivyFinding[] = [];
  for (const result of report.Results ?? []) {
    const file = result.Target.split(path.sep).join('/');
    for (const misconfiguration of result.Misconfigurations ?? []) {
      if (misconfiguration.Status !== undefined && misconfiguration.Status !== 'FAIL') continue;
      const resource = misconfiguration.CauseMetadata?.Resource;
      findings.push({
        id: misconfiguration.ID,
        severity: severityOf(misconfiguration.Severity),
        title: misconfiguration.Title ?? '',
        file,
        resource:
          resource !== undefined && resource !== ''
            ? resource
            : resourceAt(path.join(scanned, file), misconfiguration.CauseMetadata?.StartLine ?? 1),
        message: misconfiguration.Message ?? '',
        resolution: misconfiguration.Resolution ?? '',
      });
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.id.localeCompare(b.id) || a.message.localeCompare(b.message));
}

function severityOf(severity: string): Severity {
  const known = SEVERITIES.find((candidate) => candidate === severity);
  if (known === undefined) throw new Error(`Trivy reported an unknown severity ${JSON.stringify(severity)}`);
  return known;
}

/** `Kind/name` of the YAML document of `file` that holds `line` (1-based), or the file name when none does. */
function resourceAt(file: string, line: number): string {
  if (!fs.existsSync(file)) return path.basename(file);
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(fs.readFileSync(file, 'utf8'), { lineCounter });
  if (!Array.isArray(documents)) return path.basename(file);
  const holding =
    documents.find((document) => {
      const [start, , end] = document.range;
      return lineCounter.linePos(start).line <= line && line <= lineCounter.linePos(end).line;
    }) ?? (documents.length === 1 ? documents[0] : undefined);
  const object = holding?.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null | undefined;
  return typeof object?.kind === 'string' && typeof object.metadata?.name === 'string'
    ? `${object.kind}/${object.metadata.name}`
    : path.basename(file);
}
