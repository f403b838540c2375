/**
 * Jest's order (failed first, then the longest by the last run's timings), except that the suites known to be the
 * longest start first in any case: on 2 cores the run ends when the real control plane's suite ends, and a fresh
 * clone has no timings, so jest started it minutes late (and, after a failed run, even a warm run did).
 */
const Sequencer = require('@jest/test-sequencer').default;

/** The longest suites, longest first (workspace-relative). */
const LONGEST = [
  'test/charts-on-cluster.test.ts',
  'test/chart-overrides.test.ts',
  'tools/local-state/test/day-simulation.test.ts',
  'test/state-scheduling.test.ts',
];

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const index = LONGEST.findIndex((path) => test.path.endsWith(`/${path}`));
      return index < 0 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: within a rank, jest's order stays
    return super.sort(tests).sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
