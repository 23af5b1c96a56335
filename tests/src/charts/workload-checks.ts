/**
 * Assertions about rendered workloads that hold for every chart and scenario: the secure defaults a
 * cluster's admission policy (Pod Security "restricted") checks, and the probes. Plus reading a
 * container's environment the way the kubelet assembles it (ConfigMap envFrom, then env).
 */
import assert from "node:assert/strict";
import { type Container, type EnvVar, type Manifest, named, ofKind, podSpec } from "./chart-fixture.js";

/** The app.kubernetes.io/component label of an object. */
export function componentOf(m: Manifest): string {
  return m.metadata.labels?.["app.kubernetes.io/component"] ?? "";
}

/** Deployments and Jobs. */
export function workloads(objects: readonly Manifest[]): Manifest[] {
  return objects.filter((o) => o.kind === "Deployment" || o.kind === "Job");
}

/**
 * Every container of every Deployment and Job runs as a non-root user, cannot escalate privileges,
 * drops ALL capabilities and has a read-only root file system. `writableRoot` names the components
 * allowed a writable root (the dev Kafka broker, whose image writes its config under /opt/kafka).
 */
export function assertHardened(objects: readonly Manifest[], writableRoot: readonly string[] = []): void {
  const all = workloads(objects);
  assert.ok(all.length > 0, "the scenario renders at least one Deployment or Job");
  for (const w of all) {
    const pod = podSpec(w);
    for (const c of pod.containers) {
      const where = `${w.kind} ${w.metadata.name}, container ${c.name}`;
      const sc = c.securityContext ?? {};
      assert.equal(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, `${where} runs as non-root`);
      assert.ok((sc.runAsUser ?? pod.securityContext?.runAsUser ?? 0) > 0, `${where} has a non-zero user id`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${where} cannot escalate privileges`);
      assert.notEqual(sc.privileged, true, `${where} is not privileged`);
      assert.ok(sc.capabilities?.drop?.includes("ALL"), `${where} drops ALL capabilities`);
      const expected = !writableRoot.includes(componentOf(w));
      assert.equal(sc.readOnlyRootFilesystem === true, expected, `${where}: read-only root file system`);
    }
  }
}

/**
 * The probes every platform service has: readiness by gRPC health for gRPC servers and GET /readyz
 * otherwise, liveness by GET /healthz. Startup: gRPC health, or GET /healthz for HTTP services and for
 * a `standby` gRPC server (a controller replica waiting for the Lease has no gRPC server yet).
 */
export function assertServiceProbes(deployment: Manifest, kind: "grpc" | "standby" | "http"): void {
  const c = podSpec(deployment).containers[0];
  const where = `Deployment ${deployment.metadata.name}`;
  assert.ok(c, `${where} has a container`);
  if (kind !== "http") {
    if (kind === "grpc") {
      assert.equal(c.startupProbe?.grpc?.port, 50051, `${where}: startup probe calls grpc.health.v1`);
    } else {
      assert.equal(c.startupProbe?.httpGet?.path, "/healthz", `${where}: a standby starts without gRPC`);
    }
    assert.equal(c.readinessProbe?.grpc?.port, 50051, `${where}: readiness probe calls grpc.health.v1`);
  } else {
    assert.equal(c.startupProbe?.httpGet?.path, "/healthz", `${where}: startup probe GET /healthz`);
    assert.equal(c.readinessProbe?.httpGet?.path, "/readyz", `${where}: readiness probe GET /readyz`);
  }
  assert.equal(c.livenessProbe?.httpGet?.path, "/healthz", `${where}: liveness probe GET /healthz`);
}

/** A container's environment as the kubelet builds it: its ConfigMaps' keys, then its env entries. */
export function envOf(objects: readonly Manifest[], c: Container): Map<string, EnvVar> {
  const env = new Map<string, EnvVar>();
  for (const source of c.envFrom ?? []) {
    const ref = source.configMapRef?.name;
    if (ref === undefined) continue;
    for (const [name, value] of Object.entries(named(objects, "ConfigMap", ref).data ?? {})) {
      env.set(name, { name, value });
    }
  }
  for (const e of c.env ?? []) env.set(e.name, e);
  return env;
}

/** The plain value of an environment variable; fails when it is unset or not a plain value. */
export function envValue(env: Map<string, EnvVar>, name: string): string {
  const value = env.get(name)?.value;
  assert.ok(value !== undefined, `${name} is set to a value (have: ${[...env.keys()].join(", ")})`);
  return value;
}

/**
 * The variables that have a plain value, as a process environment: what a service's config loader
 * reads (fieldRef and secret values, resolved by the kubelet, are left out).
 */
export function plainEnv(env: Map<string, EnvVar>): Record<string, string> {
  return Object.fromEntries([...env].flatMap(([k, v]) => (v.value === undefined ? [] : [[k, v.value]])));
}

/** The Deployment of a component of the isara release "isara". */
export function deploymentOf(objects: readonly Manifest[], component: string): Manifest {
  return named(objects, "Deployment", `isara-${component}`);
}

/** The components that have a Deployment. */
export function deployedComponents(objects: readonly Manifest[]): string[] {
  return ofKind(objects, "Deployment").map(componentOf).sort();
}
