/**
 * `make down`: stops the stack recorded in `<dir>/stack.json` from another process. The supervisor
 * goes first, so it cannot restart what is being stopped; then the services in reverse start order
 * (SIGTERM, SIGKILL after 30 s), each only if its PID still names the process that was started;
 * then the broker if the stack started it, and its Qdrant if it has one. Data (artifacts, LanceDB or
 * Qdrant storage, Kafka logs) stays for the next `make up`.
 */
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { stopBroker } from "./kafka-process.js";
import { stopStackQdrant } from "./qdrant-process.js";
import { stopProcess } from "./service-process.js";
import { readStackFile, stackFilePath } from "./stack-file.js";

/** Stops the stack in `dir`; returns `false` when no stack was recorded there. */
export async function stopStackIn(
  root: string,
  dir: string,
  log: (line: string) => void = () => {},
): Promise<boolean> {
  const folder = resolve(dir);
  const before = readStackFile(folder);
  if (before === undefined) return false;
  const sup = before.supervisor;
  if (sup !== null && (await stopProcess(sup.pid, "SIGTERM", 10_000, sup.startTime))) {
    log(`stopped the supervisor (pid ${sup.pid})`);
  }
  // The supervisor's last write names the services as they are now (a restart may have happened).
  const file = readStackFile(folder) ?? before;
  for (const service of [...file.services].reverse()) {
    if (service.pid === null) continue;
    if (await stopProcess(service.pid, "SIGTERM", 30_000, service.startTime)) {
      log(`stopped ${service.name} (pid ${service.pid})`);
    }
  }
  if (file.kafka.dataDir !== null) {
    await stopBroker(root, file.kafka.dataDir);
    log("stopped Kafka");
  }
  if (await stopStackQdrant(root, folder)) log("stopped Qdrant");
  rmSync(stackFilePath(folder), { force: true });
  return true;
}
