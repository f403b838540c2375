export * from './ionos-facts';
