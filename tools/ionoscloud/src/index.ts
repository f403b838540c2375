export * from './generate-bindings';
export * from './openapi-subset';
export * from './openapi-validator';
export * from './subset';
export * from './terraform-schema';
