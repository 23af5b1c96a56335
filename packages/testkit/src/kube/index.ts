export * from "./helm-binary.js";
export * from "./kube-binaries.js";
export * from "./start-kube.js";
