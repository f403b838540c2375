export {
  ACCEPTED_FINDINGS_FILE,
  type AcceptedFinding,
  covers,
  readAcceptedFindings,
  type Triage,
  triageFindings,
} from './accepted-findings';
export {
  scanConfig,
  type ScanConfigOptions,
  SEVERITIES,
  type Severity,
  trivyConfigArgs,
  type TrivyFinding,
  TrivyScanError,
} from './scan-config';
export { ensureTrivy, TRIVY_TOOL } from './trivy-tool';
