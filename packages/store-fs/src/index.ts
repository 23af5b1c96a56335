/**
 * @isara/store-fs: the RunStore and ArtifactStore ports on the local file system, for the embedded
 * (one-process) wiring. Atomic writes, validated reads, keys confined to their folder, and errors
 * that say what to do when the disk is full or not writable.
 */
export * from "./artifact-key.js";
export * from "./atomic-write.js";
export * from "./file-run-store.js";
export * from "./fs-artifact-store.js";
export * from "./fs-error.js";
