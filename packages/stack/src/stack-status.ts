/**
 * `isara-stack status`: the stack as it is now, not as it was last written down. Each recorded PID
 * is checked against its start time, each live service's readiness endpoint is asked, the supervisor
 * is checked the same way, and the broker's port is tried; `service-status.ts` turns that into
 * what is shown.
 */
import { connect } from "node:net";
import { resolve } from "node:path";
import { probeProcess } from "./process-identity.js";
import type { RestartPolicy } from "./restart-backoff.js";
import { type ServiceStatus, serviceStatus } from "./service-status.js";
import { readStackFile, type StackFile, type StackService } from "./stack-file.js";

/** The whole stack as observed. */
export interface StackStatus {
  readonly file: StackFile;
  /** `running` (restarting crashed services), `exited` (its PID is gone), or `none` (never had one). */
  readonly supervisor: "running" | "exited" | "none";
  readonly restart: RestartPolicy | null;
  readonly services: readonly (ServiceStatus & { readonly ports: StackService["ports"] })[];
  readonly kafkaReachable: boolean;
}

async function answersReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

function reachable(address: string): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.split(":").pop())];
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 1000 });
    const end = (ok: boolean): void => {
      socket.destroy();
      done(ok);
    };
    socket.once("connect", () => end(true));
    socket.once("timeout", () => end(false));
    socket.once("error", () => end(false));
  });
}

/** Observes the stack recorded in `dir`; `undefined` when none was started there. */
export async function readStackStatus(dir: string): Promise<StackStatus | undefined> {
  const file = readStackFile(resolve(dir));
  if (file === undefined) return undefined;
  const sup = file.supervisor;
  const supervisor =
    sup === null
      ? "none"
      : sup.phase !== "stopped" && probeProcess(sup.pid, sup.startTime) === "ours"
        ? "running"
        : "exited";
  const supervised = supervisor === "running" && file.restart !== null;
  const services = await Promise.all(
    file.services.map(async (service) => {
      const probe = service.pid === null ? null : probeProcess(service.pid, service.startTime);
      const url = service.spec.readyUrl;
      const ready = url === undefined || probe !== "ours" ? null : await answersReady(url);
      return {
        ...serviceStatus(service, { probe, ready, supervised, now: Date.now() }),
        ports: service.ports,
      };
    }),
  );
  return {
    file,
    supervisor,
    restart: file.restart,
    services,
    kafkaReachable: await reachable(file.kafka.bootstrap),
  };
}

/** The lines `status` prints: one per process, then the broker and the gateway. */
export function formatStackStatus(status: StackStatus): string[] {
  const { file } = status;
  const sup = file.supervisor;
  const lines: string[] = [];
  if (sup === null) {
    lines.push(
      `${"supervisor".padEnd(18)} none: the services run inside another process and are not restarted`,
    );
  } else {
    const what =
      status.supervisor === "running"
        ? `running (${sup.phase}); crashed services are restarted`
        : `exited (phase ${sup.phase}${sup.error === null ? "" : `: ${sup.error}`}); crashed services are not restarted`;
    lines.push(`${"supervisor".padEnd(18)} pid ${String(sup.pid).padEnd(8)} ${what}`);
  }
  for (const s of status.services) {
    const pid = s.pid === null ? "-" : String(s.pid);
    const ports = `http ${s.ports.http}${s.ports.grpc === undefined ? "" : `  grpc ${s.ports.grpc}`}`;
    const detail = s.detail === "" ? "" : `  ${s.detail}`;
    lines.push(`${s.name.padEnd(18)} pid ${pid.padEnd(8)} ${s.state.padEnd(11)} ${ports}${detail}`);
  }
  lines.push(
    `${"kafka".padEnd(18)} ${file.kafka.bootstrap} ${status.kafkaReachable ? "reachable" : "NOT reachable"}`,
  );
  lines.push(
    `${"gateway".padEnd(18)} ${file.gatewayUrl} (tenant ${file.tenant}, token in ${file.tokenFile})`,
  );
  return lines;
}

/** `true` when every service runs and is ready: `status` exits 0 only then. */
export function allRunning(status: StackStatus): boolean {
  return status.services.every((s) => s.state === "running");
}
