import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ACCEPTED_FINDINGS_FILE, type AcceptedFinding, covers, readAcceptedFindings, triageFindings, type TrivyFinding } from '../src';

function finding(id: string, file: string): TrivyFinding {
  return { id, severity: 'HIGH', title: 't', file, resource: 'Pod/p', message: 'm', resolution: 'r' };
}

describe('readAcceptedFindings', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'trivy-accepted-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  function read(text: string): AcceptedFinding[] {
    const file = path.join(work, 'accepted.yaml');
    fs.writeFileSync(file, text);
    return readAcceptedFindings(file);
  }

  it('reads the misconfigurations list of a Trivy ignore file', () => {
    expect(read('misconfigurations:\n  - id: KSV-0017\n    paths: ["a/*.yaml"]\n    statement: |\n      needed\n')).toEqual([
      { id: 'KSV-0017', paths: ['a/*.yaml'], statement: 'needed' },
    ]);
    expect(read('# nothing accepted\n')).toEqual([]);
  });

  it('refuses an entry without a statement, with the file and the entry in the message', () => {
    expect(() => read('misconfigurations:\n  - id: KSV-0017\n')).toThrow(
      `${path.join(work, 'accepted.yaml')}: misconfigurations[0] (KSV-0017) needs a statement`,
    );
  });

  it('refuses keys and sections it would not honour', () => {
    expect(() => read('misconfigurations:\n  - id: KSV-0017\n    statement: s\n    expired_at: 2030-01-01\n')).toThrow(
      'misconfigurations[0] has unsupported keys expired_at',
    );
    expect(() => read('vulnerabilities:\n  - id: CVE-1\n')).toThrow('only a misconfigurations list is supported, found vulnerabilities');
  });

  it('reads the committed file', () => {
    expect(() => readAcceptedFindings(ACCEPTED_FINDINGS_FILE)).not.toThrow();
  });
});

describe('covers', () => {
  const accepted = (paths: string[]): AcceptedFinding => ({ id: 'KSV-0017', paths, statement: 's' });

  it('matches the check by its id, in any file when no paths are given', () => {
    expect(covers(accepted([]), finding('KSV-0017', 'a/b.yaml'))).toBe(true);
    expect(covers(accepted([]), finding('KSV-0018', 'a/b.yaml'))).toBe(false);
  });

  it('matches paths as Trivy does: * within a segment, ** across segments', () => {
    expect(
      covers(
        accepted(['jitsi-shard/*/Deployment-*-jvb.yaml']),
        finding('KSV-0017', 'jitsi-shard/defaults/Deployment-test-jitsi-shard-jvb.yaml'),
      ),
    ).toBe(true);
    expect(covers(accepted(['jitsi-shard/*.yaml']), finding('KSV-0017', 'jitsi-shard/defaults/Pod-x.yaml'))).toBe(false);
    expect(covers(accepted(['**/Pod-?.yaml']), finding('KSV-0017', 'jitsi-shard/defaults/Pod-x.yaml'))).toBe(true);
    expect(covers(accepted(['**/Pod-?.yaml']), finding('KSV-0017', 'Pod-x.yaml'))).toBe(true);
    expect(covers(accepted(['haproxy/**']), finding('KSV-0017', 'jitsi-shard/defaults/Pod-x.yaml'))).toBe(false);
  });

  it('refuses glob syntax it does not implement', () => {
    expect(() => covers(accepted(['{a,b}/*.yaml']), finding('KSV-0017', 'a/x.yaml'))).toThrow(
      'unsupported glob syntax in "{a,b}/*.yaml": use only *, ** and ?',
    );
  });
});

describe('triageFindings', () => {
  it('separates open from accepted findings and lists accepted findings that match nothing', () => {
    // GIVEN two findings and two accepted findings, one of which is stale
    const used: AcceptedFinding = { id: 'KSV-0017', paths: ['a/*'], statement: 'why' };
    const stale: AcceptedFinding = { id: 'KSV-0001', paths: [], statement: 'why not' };
    const privileged = finding('KSV-0017', 'a/pod.yaml');
    const other = finding('KSV-0017', 'b/pod.yaml');
    // WHEN they are triaged
    const triage = triageFindings([privileged, other], [used, stale]);
    // THEN
    expect(triage).toEqual({ open: [other], accepted: [{ finding: privileged, acceptance: used }], unused: [stale] });
  });
});
