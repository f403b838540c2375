export { ADAPTER_RULES } from './adapter-rules';
export { monitoringChart } from './chart';
export { type DashboardModel, DASHBOARDS, type Dashboards } from './dashboards';
export { monitoringFacts } from './facts';
export { ALERTMANAGER_CONFIG_KEY, Monitoring, type MonitoringProps } from './monitoring';
export { type MonitoringValues, monitoringValues } from './values';
