import * as fs from 'node:fs';
import * as path from 'node:path';

import YAML from 'yaml';

import { _matchesGlob } from './_glob';
import type { TrivyFinding } from './scan-config';

/** The committed file of accepted findings, in Trivy's own ignore-file format (`trivy config --ignorefile` reads it). */
export const ACCEPTED_FINDINGS_FILE: string = path.resolve(__dirname, '..', 'accepted-findings.yaml');

/** A finding accepted on purpose: one entry of the `misconfigurations` list of a Trivy ignore file. */
export interface AcceptedFinding {
  /** The check id, as Trivy reports it (`KSV-0017`; Trivy's older spellings such as `KSV017` are not matched here). */
  readonly id: string;
  /** Glob patterns of the scanned files it applies to (Trivy's `paths`); empty means every file. */
  readonly paths: readonly string[];
  /** Why the finding is accepted, for a security reviewer. */
  readonly statement: string;
}

/** Findings sorted by whether an accepted finding covers them. */
export interface Triage {
  /** Findings no accepted finding covers. */
  readonly open: TrivyFinding[];
  /** Findings an accepted finding covers, with the first one that does. */
  readonly accepted: Array<{ readonly finding: TrivyFinding; readonly acceptance: AcceptedFinding }>;
  /** Accepted findings that cover no finding (stale entries). */
  readonly unused: AcceptedFinding[];
}

/**
 * Reads the `misconfigurations` list of a Trivy ignore file (YAML format). Every entry needs an `id` and a
 * `statement`; any other section or key is refused, so nothing in the file is silently without effect here.
 * @throws {Error} naming the file and the entry when the file is not such a list
 */
export function readAcceptedFindings(file: string = ACCEPTED_FINDINGS_FILE): AcceptedFinding[] {
  const parsed = (YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  const sections = Object.keys(parsed).filter((key) => key !== 'misconfigurations');
  if (sections.length > 0) fail(`only a misconfigurations list is supported, found ${sections.join(', ')}`);
  const entries = parsed.misconfigurations ?? [];
  if (!Array.isArray(entries)) fail('misconfigurations must be a list');
  return (entries as unknown[]).map((entry, index) => {
    const record = (entry ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !['id', 'paths', 'statement'].includes(key));
    if (unknown.length > 0) fail(`misconfigurations[${index}] has unsupported keys ${unknown.join(', ')}`);
    const { id, paths = [], statement } = record;
    if (typeof id !== 'string' || id === '') fail(`misconfigurations[${index}] needs an id`);
    if (typeof statement !== 'string' || statement.trim() === '') fail(`misconfigurations[${index}] (${String(id)}) needs a statement`);
    if (!Array.isArray(paths) || !paths.every((pattern) => typeof pattern === 'string')) {
      fail(`misconfigurations[${index}] (${String(id)}) paths must be a list of strings`);
    }
    return { id: id as string, paths: paths as string[], statement: (statement as string).trim() };
  });
}

/** Whether `acceptance` covers `finding`: the same check id, in a file one of its paths matches. */
export function covers(acceptance: AcceptedFinding, finding: TrivyFinding): boolean {
  return (
    acceptance.id === finding.id &&
    (acceptance.paths.length === 0 || acceptance.paths.some((pattern) => _matchesGlob(pattern, finding.file)))
  );
}

/** Sorts findings into open and accepted ones, and lists the accepted findings that cover none. */
export function triageFindings(findings: readonly TrivyFinding[], acceptedFindings: readonly AcceptedFinding[]): Triage {
  const open: TrivyFinding[] = [];
  const accepted: Array<{ finding: TrivyFinding; acceptance: AcceptedFinding }> = [];
  const used = new Set<AcceptedFinding>();
  for (const finding of findings) {
    const covering = acceptedFindings.filter((acceptance) => covers(acceptance, finding));
    covering.forEach((acceptance) => used.add(acceptance));
    if (covering[0] === undefined) open.push(finding);
    else accepted.push({ finding, acceptance: covering[0] });
  }
  return { open, accepted, unused: acceptedFindings.filter((acceptance) => !used.has(acceptance)) };
}
