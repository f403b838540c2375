export { BbbAutoscaler, type BbbAutoscalerProps, COMPONENT, ENTRYPOINT } from './bbb-autoscaler';
export { bbbAutoscalerChart } from './chart';
export { CONFIG_DIR, CONFIG_FILE, CONFIG_FILE_NAME, configFile } from './config-file';
export { bbbAutoscalerFacts } from './facts';
export { AUTOSCALER_IMAGE, AUTOSCALER_USER, AUTOSCALER_VERSION, type BbbAutoscalerValues, bbbAutoscalerValues } from './values';
