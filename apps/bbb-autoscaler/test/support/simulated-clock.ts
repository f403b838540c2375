import type { Clock } from '../../src/ports';

/**
 * Time that passes only when told: `sleep` moves it forward at once, so a school day of cycles runs in seconds.
 * Callbacks registered with `every` run whenever time passes their next tick (the world's own processes: meetings
 * starting and ending, Scalelite's poller).
 */
export class SimulatedClock implements Clock {
  private current: number;
  private readonly tickers: Array<{ period: number; next: number; run: (at: Date) => void }> = [];

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  async sleep(milliseconds: number): Promise<void> {
    this.advance(milliseconds);
  }

  /** Moves time forward, running the tickers due on the way, in time order. */
  advance(milliseconds: number): void {
    const target = this.current + Math.max(0, milliseconds);
    for (;;) {
      const due = this.tickers.filter((ticker) => ticker.next <= target).sort((one, other) => one.next - other.next)[0];
      if (due === undefined) break;
      this.current = Math.max(this.current, due.next);
      due.next += due.period;
      due.run(new Date(this.current));
    }
    this.current = target;
  }

  /** Runs `run` every `period` milliseconds of simulated time, the first time one period from now. */
  every(period: number, run: (at: Date) => void): void {
    this.tickers.push({ period, next: this.current + period, run });
  }
}
