export { loggingChart } from './chart';
export { loggingFacts } from './facts';
export { buildLogging, COMPONENTS, eckNames, SHIPPER_USERNAME } from './logging';
export { ELASTIC_STACK_VERSION, FLUENT_BIT_VERSION, type LoggingValues, loggingValues } from './values';
