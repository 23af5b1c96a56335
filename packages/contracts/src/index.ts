/**
 * @isara/contracts: the wire contracts of the distributed mode. The protobuf messages of every Kafka
 * topic and the gRPC services (RetrievalService, ControllerService) are generated from proto/ into
 * src/gen (ts-proto, grpc-js services); the hand-written modules convert between them and core's
 * types, map error codes to gRPC statuses, and hold the topic catalogue.
 *
 * It also holds the on-disk contract both modes share, so the embedded runner, the CLI and the
 * services agree on every file without depending on each other: the run folder's layout
 * (`run-folder.ts`), the JSON Lines writer and reader (`jsonl.ts`), `metrics.json` (`metrics-file.ts`)
 * and the round logs kept in it (`round-logs.ts`); and how a stage reads a run's domain snapshot, its
 * settings, once per run (`run-domain.ts`, `run-domains.ts`).
 *
 * Generated names follow the proto (`Sample`, `RunEvent`, `RunMode`, ...) and some equal core's;
 * import this package as a namespace (`import * as wire from "@isara/contracts"`) where both meet.
 */
export * from "./error-code.js";
export * from "./gen/google/protobuf/timestamp.js";
export * from "./gen/isara/v1/controller.js";
export * from "./gen/isara/v1/error_info.js";
export * from "./gen/isara/v1/lineage.js";
export * from "./gen/isara/v1/metrics.js";
export * from "./gen/isara/v1/model_ref.js";
export * from "./gen/isara/v1/phase.js";
export * from "./gen/isara/v1/retrieval.js";
export * from "./gen/isara/v1/round_record.js";
export * from "./gen/isara/v1/run_context.js";
export * from "./gen/isara/v1/run_mode.js";
export * from "./gen/isara/v1/sample.js";
export * from "./gen/isara/v1/sampling.js";
export * from "./gen/isara/v1/topics.js";
export * from "./idempotency-keys.js";
export * from "./jsonl.js";
export * from "./metrics-file.js";
export * from "./round-logs.js";
export * from "./round-quality.js";
export * from "./run-domain.js";
export * from "./run-domains.js";
export * from "./run-event-wire.js";
export * from "./run-folder.js";
export * from "./run-mode-wire.js";
export * from "./sample-wire.js";
export * from "./topic-codec.js";
export * from "./topics.js";
