export * from './charts';
export * from './helm-on';
export * from './processes';
export * from './prometheus';
export * from './state-cluster';
