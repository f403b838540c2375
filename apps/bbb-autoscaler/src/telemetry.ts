import type { Decision, ServerView } from '@meetscale/bbb-autoscaling';
import { Counter, Gauge, Registry } from 'prom-client';

/** Scalelite's server states, one series each in `meetscale_bbb_server_state`. */
const STATES = ['enabled', 'cordoned', 'disabled'] as const;

/** Actions counted in `meetscale_bbb_autoscaler_decisions_total`. */
const ACTIONS = ['start', 'register', 'enable', 'cordon', 'stop', 'none'] as const;

/** Sources counted in `meetscale_bbb_autoscaler_errors_total`. */
const SOURCES = ['ionos', 'scalelite', 'prometheus', 'kubernetes'] as const;

/**
 * The autoscaler's metrics: Scalelite's view of each server (which Scalelite does not serve itself), the VMs' power,
 * the decisions and the errors. Exactly the names the metric catalog declares (`@meetscale/metric-catalog`,
 * `BBB_AUTOSCALER_METRICS`), which the monitoring chart's rules and dashboards are built on.
 */
export class Telemetry {
  readonly registry = new Registry();
  private readonly state = this.gauge('meetscale_bbb_server_state', "1 for the server's state in Scalelite, 0 for the others.", [
    'server',
    'state',
  ]);
  private readonly online = this.gauge('meetscale_bbb_server_online', 'Whether Scalelite counts the server online.', ['server']);
  private readonly load = this.gauge('meetscale_bbb_server_load', "The server's load as Scalelite computes it.", ['server']);
  private readonly running = this.gauge('meetscale_bbb_server_running', 'Whether the server’s VM runs (IONOS).', ['server']);
  private readonly startFailed = this.gauge(
    'meetscale_bbb_server_start_failed',
    'Whether the server was started and has not answered its BigBlueButton API within the start time-out.',
    ['server'],
  );
  private readonly desired = this.gauge('meetscale_bbb_servers_desired', 'Servers the autoscaler wants serving.', []);
  private readonly runningTotal = this.gauge('meetscale_bbb_servers_running', 'Servers whose VM runs.', []);
  private readonly decisions = new Counter({
    name: 'meetscale_bbb_autoscaler_decisions_total',
    help: 'Actions decided (taken unless in a dry run), by action; `none` for a cycle without one.',
    labelNames: ['action'],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'meetscale_bbb_autoscaler_errors_total',
    help: 'Failed reads and actions, by source.',
    labelNames: ['source'],
    registers: [this.registry],
  });

  constructor() {
    for (const action of ACTIONS) this.decisions.inc({ action }, 0);
    for (const source of SOURCES) this.errors.inc({ source }, 0);
  }

  /** Records a cycle's decision and the servers it saw. */
  decided(decision: Decision, servers: readonly ServerView[]): void {
    this.desired.set(decision.desired);
    this.runningTotal.set(decision.running);
    for (const gauge of [this.state, this.online, this.load, this.running, this.startFailed]) gauge.reset();
    for (const server of servers) {
      this.running.set({ server: server.host }, server.vm.running ? 1 : 0);
      this.startFailed.set({ server: server.host }, decision.failed.includes(server.host) ? 1 : 0);
      if (server.balancer === undefined) continue;
      for (const state of STATES) this.state.set({ server: server.host, state }, server.balancer.state === state ? 1 : 0);
      this.online.set({ server: server.host }, server.balancer.online ? 1 : 0);
      this.load.set({ server: server.host }, server.balancer.load);
    }
    // every action decided (a dry run decides without acting), or `none`
    for (const action of decision.actions) this.decisions.inc({ action: action.kind });
    if (decision.actions.length === 0) this.decisions.inc({ action: 'none' });
  }

  /** Counts a failed read or action. */
  error(source: string): void {
    this.errors.inc({ source });
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
