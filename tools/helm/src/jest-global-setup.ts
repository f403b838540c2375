import { ensureAllHelm } from './ensure-helm';

/**
 * Jest global setup: makes sure both pinned Helm binaries are cached and verified once before any test runs,
 * so tests can call `runHelm` / `helmBinaryPath` synchronously. Used through `tools/helm/jest-global-setup.js`.
 */
export async function globalSetup(): Promise<void> {
  await ensureAllHelm();
}
