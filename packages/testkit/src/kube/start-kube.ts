import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { IsaraError } from "@isara/core";
import { freePort } from "@isara/kit";
import { forgetOnExit, killOnExit } from "../exit-reaper.js";
import { type KubeScriptOptions, kubeBinDir } from "./kube-binaries.js";

/** How {@link startKubeApiServer} starts the servers; every field is optional. */
export interface StartKubeOptions extends KubeScriptOptions {
  /** Folder with `kube-apiserver` and `etcd` (default: what infra/kube/fetch.sh built). */
  readonly binDir?: string;
  /** How long etcd and the API server together may take to become ready. Default 120 s (2 busy cores). */
  readonly startTimeoutMs?: number;
  /**
   * Picks a port for a server to listen on (default: `freePort` of `@isara/kit`). A test passes one
   * that first answers a taken port, to see the start pick again.
   */
  readonly pickPort?: () => Promise<number>;
}

/** A running kube-apiserver with its etcd, on loopback, as a test sees it. */
export interface KubeApiServer {
  /** `https://127.0.0.1:PORT` (a self-signed serving certificate). */
  readonly url: string;
  /** A kubeconfig file for kubectl and `@kubernetes/client-node`: the admin token, TLS verification off. */
  readonly kubeconfigPath: string;
  /** Bearer token of `admin` (group system:masters). */
  readonly token: string;
  /** Config, data and the two logs (etcd.log, kube-apiserver.log). */
  readonly dataDir: string;
  /** Stops both servers (SIGTERM, then SIGKILL) and deletes the data folder. Idempotent. */
  stop(): Promise<void>;
}

function startProcess(bin: string, args: readonly string[], logPath: string): ChildProcess {
  const log = openSync(logPath, "a");
  // Its own process group, so stop() and the exit hook reach the server and nothing else.
  const child = spawn(bin, args, { stdio: ["ignore", log, log], detached: true });
  closeSync(log);
  child.unref();
  killOnExit(child, "group");
  return child;
}

async function stopProcess(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    forgetOnExit(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    forgetOnExit(child);
    return;
  }
  const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!done) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Exited meanwhile.
    }
    await exited;
  }
  forgetOnExit(child);
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** GET `url`, resolving with the status and body, or `undefined` when nothing answers. */
async function probe(url: string, token?: string): Promise<{ status: number; body: string } | undefined> {
  if (url.startsWith("http://")) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return { status: res.status, body: await res.text() };
    } catch {
      return undefined;
    }
  }
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        rejectUnauthorized: false,
        timeout: 2000,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", () => resolve(undefined));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/** Why {@link waitReady} gave up: the server exited (`exited`) or the deadline passed. */
class StartFailure extends IsaraError {
  constructor(
    message: string,
    readonly exited: boolean,
  ) {
    super("unavailable", message);
  }
}

async function waitReady(
  what: string,
  child: ChildProcess,
  logPath: string,
  deadline: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new StartFailure(
        `${what} exited (${child.exitCode ?? child.signalCode}) while starting; its log ends:\n${tail(logPath)}`,
        true,
      );
    }
    if (await ready()) return;
    await sleep(250);
  }
  throw new StartFailure(`${what} was not ready in time; its log ends:\n${tail(logPath)}`, false);
}

/** How many times a server whose port was taken is started again on fresh ports. */
const PORT_TRIES = 5;

/**
 * Starts a server on ports from `pickPort` and waits until `ready`; when it exits because a port
 * was taken, starts it again on fresh ones. A free port is only free when it is picked: before the
 * server binds it, another process may take it. CI once saw kube-apiserver fail so ("bind: address
 * already in use") with many tests starting servers and opening connections side by side.
 */
async function startOnFreePorts(
  what: string,
  portCount: number,
  pickPort: () => Promise<number>,
  logPath: string,
  deadline: number,
  launch: (ports: number[]) => ChildProcess,
  ready: (ports: number[]) => Promise<boolean>,
): Promise<{ child: ChildProcess; ports: number[] }> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < portCount; i++) ports.push(await pickPort());
    const child = launch(ports);
    try {
      await waitReady(what, child, logPath, deadline, () => ready(ports));
      return { child, ports };
    } catch (err) {
      const portTaken =
        err instanceof StartFailure && err.exited && /address already in use/.test(tail(logPath, 3));
      if (!portTaken || attempt === PORT_TRIES) {
        await stopProcess(child, 20_000);
        throw err;
      }
      forgetOnExit(child);
      writeFileSync(
        logPath,
        `(ports ${ports.join(", ")} were taken before ${what} bound them; trying again)\n`,
        {
          flag: "a",
        },
      );
    }
  }
}

function kubeconfig(url: string, token: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: isara-test",
    "  cluster:",
    `    server: ${url}`,
    "    insecure-skip-tls-verify: true",
    "users:",
    "- name: admin",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: isara-test",
    "  context:",
    "    cluster: isara-test",
    "    user: admin",
    "    namespace: default",
    "current-context: isara-test",
    "",
  ].join("\n");
}

/**
 * Starts a real etcd and kube-apiserver for a test, on loopback with random ports, and resolves once
 * the API server's `/readyz` says ok. Tests then get real validation (OpenAPI schemas, CRD defaults
 * and printer columns), real watches, real optimistic concurrency and real RBAC objects instead of a
 * fake that would agree with whatever the client assumes. There is no kubelet, scheduler or
 * controller-manager: a Job stays as created until a test writes its status, and nothing
 * garbage-collects owned objects.
 *
 * Authentication is a static admin token (group system:masters); the service-account key pair is
 * generated per start, as the API server requires one. Admission: ServiceAccount is off, since no
 * token controller runs. Call `stop()` in an `after` hook; an exit hook kills both servers should the
 * test process end without it. Give each test `{ skip: kubeSkipReason() }`.
 *
 * @throws IsaraError `unavailable` with the tail of the server's log when a server does not come up.
 */
export async function startKubeApiServer(options: StartKubeOptions = {}): Promise<KubeApiServer> {
  const binDir = options.binDir ?? kubeBinDir(options);
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  const dataDir = mkdtempSync(join(tmpdir(), "isara-kube-"));
  const started: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of started.reverse()) await stopProcess(child, 20_000);
  };
  try {
    const pickPort = options.pickPort ?? freePort;
    const etcdLog = join(dataDir, "etcd.log");
    const etcdUrlOf = (ports: number[]) => `http://127.0.0.1:${ports[0]}`;
    const etcd = await startOnFreePorts(
      "etcd",
      2,
      pickPort,
      etcdLog,
      deadline,
      (ports) => {
        const peer = ports[1];
        const child = startProcess(
          join(binDir, "etcd"),
          [
            "--name=isara-test",
            `--data-dir=${join(dataDir, "etcd")}`,
            `--listen-client-urls=${etcdUrlOf(ports)}`,
            `--advertise-client-urls=${etcdUrlOf(ports)}`,
            `--listen-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-cluster=isara-test=http://127.0.0.1:${peer}`,
            // A test's data is thrown away: skipping fsync keeps a 2-core machine's disk out of the timings.
            "--unsafe-no-fsync",
            "--log-level=warn",
          ],
          etcdLog,
        );
        started.push(child);
        return child;
      },
      async (ports) => {
        const res = await probe(`${etcdUrlOf(ports)}/health`);
        return res?.status === 200 && res.body.includes('"true"');
      },
    );
    const etcdUrl = etcdUrlOf(etcd.ports);

    const token = randomBytes(24).toString("hex");
    writeFileSync(join(dataDir, "tokens.csv"), `${token},admin,admin-uid,"system:masters"\n`, {
      mode: 0o600,
    });
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dataDir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    });
    writeFileSync(join(dataDir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    const apiLog = join(dataDir, "kube-apiserver.log");
    const urlOf = (ports: number[]) => `https://127.0.0.1:${ports[0]}`;
    const api = await startOnFreePorts(
      "kube-apiserver",
      1,
      pickPort,
      apiLog,
      deadline,
      (ports) => {
        const child = startProcess(
          join(binDir, "kube-apiserver"),
          [
            `--etcd-servers=${etcdUrl}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${ports[0]}`,
            `--cert-dir=${join(dataDir, "certs")}`,
            `--token-auth-file=${join(dataDir, "tokens.csv")}`,
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            `--service-account-key-file=${join(dataDir, "sa.pub")}`,
            `--service-account-signing-key-file=${join(dataDir, "sa.key")}`,
            "--service-cluster-ip-range=10.0.0.0/24",
            "--disable-admission-plugins=ServiceAccount",
            "--enable-priority-and-fairness=false",
            "--profiling=false",
          ],
          apiLog,
        );
        started.push(child);
        return child;
      },
      async (ports) => (await probe(`${urlOf(ports)}/readyz`, token))?.status === 200,
    );
    const url = urlOf(api.ports);
    const kubeconfigPath = join(dataDir, "kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfig(url, token), { mode: 0o600 });
    let stopped = false;
    return {
      url,
      kubeconfigPath,
      token,
      dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
