/**
 * `@isara/kit/grpc`: the gRPC pieces every ISARA service shares, kept in one place so servers answer
 * and clients read statuses the same way: the grpc.health.v1 service, binding and graceful stop of a
 * grpc-js server, handler errors as gRPC statuses, and failed calls back as platform error codes.
 * Nothing here runs at import time.
 */
export * from "./grpc-call-error.js";
export * from "./grpc-failure.js";
export * from "./grpc-health.js";
export * from "./grpc-server.js";
