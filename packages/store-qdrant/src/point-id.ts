import { createHash } from "node:crypto";
import { IsaraError } from "@isara/core";

/**
 * Namespace of ISARA's point ids (a fixed random UUID). Changing it would give every stored sample a
 * new point id, so a retried upsert would double samples instead of replacing them: never change it.
 */
export const POINT_ID_NAMESPACE = "c71e5c90-9980-453c-bd94-1fb64980c194";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuidBytes(uuid: string): Buffer {
  if (!UUID.test(uuid)) throw new IsaraError("invalid_argument", `not a lowercase UUID: ${uuid}`);
  return Buffer.from(uuid.replaceAll("-", ""), "hex");
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A name-based UUID (version 5, RFC 9562: SHA-1 of namespace and name, version and variant bits set).
 * The same name gives the same UUID on every machine and Node version.
 */
export function uuidV5(name: string, namespace: string = POINT_ID_NAMESPACE): string {
  const digest = createHash("sha1").update(uuidBytes(namespace)).update(name, "utf8").digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/**
 * The Qdrant point id of sample `sampleId` of run `run`. Qdrant accepts only unsigned integers and
 * UUIDs as point ids, and ISARA's sample ids are 24 hex characters, so the id is mapped to a UUIDv5
 * of `(run, sampleId)`; the sample id itself is kept in the payload and is what readers see.
 *
 * Promises: deterministic (a retried upsert hits the same point, so it replaces instead of doubling),
 * and the run is part of the name, so two tenants can never overwrite each other's points even if a
 * buggy producer reused a sample id across runs. The two parts are joined by a NUL byte, which a run
 * name cannot contain (see {@link pointIdFor}'s check), so `("a/b", "c")` and `("a", "b/c")` differ.
 */
export function pointIdFor(run: string, sampleId: string): string {
  if (run === "" || sampleId === "" || run.includes("\0") || sampleId.includes("\0")) {
    throw new IsaraError(
      "invalid_argument",
      `cannot derive a point id from run ${JSON.stringify(run)} and sample id ${JSON.stringify(sampleId)}; ` +
        "both must be non-empty and free of NUL bytes",
    );
  }
  return uuidV5(`${run}\0${sampleId}`);
}
