export {
  ensureGoTool,
  type EnsureGoToolOptions,
  ensureGoTools,
  GO_TOOLS_CACHE_ENV,
  GoBuildError,
  type GoTool,
  goToolPath,
  goToolsCacheRoot,
  isProcessAlive,
  reportBuildsOnStderr,
  requiredModuleVersion,
  WORKSPACE_ROOT,
} from './go-tool';
