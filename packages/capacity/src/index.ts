export * from './bridge-load';
export * from './bridge-stress';
export * from './cli-arguments';
export * from './figures';
export * from './format-sizing';
export * from './scalelite-load';
export * from './size-state';
