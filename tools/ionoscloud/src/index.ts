export * from './generate-bindings';
export * from './subset';
export * from './terraform-schema';
