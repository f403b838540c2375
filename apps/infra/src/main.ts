/**
 * The cdktf app (`cdktf.json` `app`): one MeetscaleStack per file in `states/`, synthesized to
 * `cdktf.out/stacks/<state>/cdk.tf.json`. Run from `apps/infra` (the Nx target `infra:synth` does), after the
 * bindings were generated (`infra:generate`, which `infra:synth` depends on).
 */
import { App } from 'cdktf';

import { loadStates } from './load-states';
import { MeetscaleStack } from './meetscale-stack';

async function main(): Promise<void> {
  const app = new App();
  const states = await loadStates();
  for (const state of states) {
    new MeetscaleStack(app, state);
  }
  app.synth();
  console.log(`synthesized ${states.map((state) => state.id).join(', ')} into ${app.outdir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
