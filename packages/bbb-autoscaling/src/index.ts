export {
  AUTOSCALER_PATHS,
  AUTOSCALER_PORT,
  type AutoscalerConfig,
  autoscalerConfig,
  EXPORTER_PORTS,
  type PoolServer,
  poolServer,
  SECRET_PATHS,
} from './config';
export { type Action, decide, type Decision, freshMemory, type Memory, type Observation, type PoolState, type ServerView } from './decide';
export { type AutoscalingPolicy, autoscalingPolicy, isTimeZone, type ScheduleWindow, type Weekday, WEEKDAYS } from './policy';
export { floorAt, type LocalTime, localTime, scheduledFloor, windowCovers } from './schedule';
