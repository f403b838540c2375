export * from './bridge-load';
export * from './figures';
export * from './scalelite-load';
export * from './size-state';
