/**
 * The readiness of the artifact store the gateway runs on: the shared volume at `ARTIFACT_ROOT`.
 * The app knows only the `ArtifactStore` port, which has no health question, so whoever builds the
 * concrete store (`main.ts`, the test fixtures) passes this check beside it.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import type { HealthCheck } from "@isara/kit";

/**
 * A readiness check that passes while the folder `root` is readable and writable by this process
 * (a volume that is missing, read-only or mounted with the wrong owner fails it with the system's
 * reason), so a replica that cannot store a tenant's domain takes no traffic.
 */
export function artifactVolumeCheck(root: string): HealthCheck {
  return async () => {
    await access(root, constants.R_OK | constants.W_OK);
    return "readable and writable";
  };
}
