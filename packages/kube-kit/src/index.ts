export * from "./event-recorder.js";
export * from "./kube-client.js";
export * from "./leader-lease.js";
