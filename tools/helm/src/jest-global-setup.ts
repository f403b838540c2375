import { ensureAllHelm } from './ensure-helm';

/**
 * Jest global setup: makes sure every pinned Helm binary is there before any test runs (the current Helm 3 and 4
 * built from their Go modules, which takes minutes the first time; the oldest supported Helm 3 downloaded and
 * checksum-verified), so tests can call `runHelm` / `helmBinaryPath` synchronously. Used through `tools/helm/jest-global-setup.js`.
 */
export async function globalSetup(): Promise<void> {
  await ensureAllHelm();
}
