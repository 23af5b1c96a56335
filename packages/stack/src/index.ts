export { freePort } from "./free-port.js";
export {
  type CreateRunBody,
  createGatewayClient,
  type GatewayClient,
  type RunView,
} from "./gateway-client.js";
export { startBroker, stopBroker } from "./kafka-process.js";
export { isAlive, logPath, tail } from "./service-process.js";
export { type Stack, type StackOptions, startStack, stopStackIn } from "./stack.js";
export { readStackFile, type StackFile } from "./stack-file.js";
export {
  artifactRoot,
  planStack,
  type ServiceName,
  type ServicePorts,
  type ServiceSpec,
  START_ORDER,
  type StackSettings,
} from "./stack-plan.js";
