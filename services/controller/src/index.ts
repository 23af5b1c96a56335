/**
 * @isara/controller: the controller of the distributed mode, as a library for tests and tools (the
 * process is `dist/main.js`). The app, its configuration, and the pure reconciler pieces: which work
 * a step asks for, how results complete a phase, and a run's wire status; and the AlignmentRun CRD
 * as generated from core's settings schemas.
 */
export * from "./app.js";
export * from "./config.js";
export * from "./kube/alignment-run-crd.js";
export * from "./model-ref.js";
export * from "./phase-progress.js";
export * from "./reconciler.js";
export * from "./result-intake.js";
export * from "./run-spec.js";
export * from "./run-status.js";
export * from "./seed-store.js";
export * from "./slot-rows.js";
export * from "./work-plan.js";
