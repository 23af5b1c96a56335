export {
  type CreateRunBody,
  createGatewayClient,
  type GatewayClient,
  type RunView,
} from "./gateway-client.js";
export { startBroker, stopBroker } from "./kafka-process.js";
export { isAlive, type ProcessProbe, probeProcess } from "./process-identity.js";
export { type ExitRecord, exitReason, type ProcessRecord, type RecordedState } from "./process-record.js";
export { chooseVectorStore, stackQdrantDir, type VectorStoreChoice } from "./qdrant-process.js";
export { DEFAULT_RESTART_POLICY, type RestartPolicy } from "./restart-backoff.js";
export { logPath, tail } from "./service-process.js";
export { type ServiceStatus, type ShownState, serviceStatus } from "./service-status.js";
export { type Stack, startStack } from "./stack.js";
export { stopStackIn } from "./stack-down.js";
export { readStackFile, type StackFile, type StackService, type SupervisorRecord } from "./stack-file.js";
export { type LaunchedStack, type LaunchOptions, launchStack, stackLogPath } from "./stack-launch.js";
export {
  artifactRoot,
  planStack,
  type ServiceName,
  type ServicePorts,
  type ServiceSpec,
  START_ORDER,
  type StackOptions,
  type StackSettings,
} from "./stack-plan.js";
export { allRunning, formatStackStatus, readStackStatus, type StackStatus } from "./stack-status.js";
export { createSupervisor, type ProcessSpec, type Supervisor, type SupervisorOptions } from "./supervisor.js";
