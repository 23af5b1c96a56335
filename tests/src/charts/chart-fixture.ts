/**
 * What the chart tests run: the pinned helm and kube-score that infra/kube/helm-tools.sh installs,
 * the charts' ci/*-values.yaml scenarios, the rendered manifests as plain objects, and the kube-score
 * checks charts/kube-score.ignore skips (each with its reason).
 */
import { execFile, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@isara/testkit";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);

export const ROOT = repoRoot();
export const CHARTS = join(ROOT, "charts");
const TOOLS_SCRIPT = join(ROOT, "infra/kube/helm-tools.sh");

/** Why the chart tests cannot run here, or `false` when the tools are installed or can be built (with Go). */
export function chartToolsSkip(): string | false {
  if (spawnSync("bash", [TOOLS_SCRIPT, "--check"], { stdio: "ignore" }).status === 0) return false;
  const go = spawnSync("go", ["version"], { stdio: "ignore" });
  if (go.error === undefined && go.status === 0) return false;
  return "needs helm and kube-score, which are not installed, and no 'go' to build them: install Go 1.22+ and run infra/kube/helm-tools.sh (or scripts/setup.sh kube)";
}

/** The folder holding helm and kube-score; builds them on first use (minutes, once per machine). */
export async function installChartTools(): Promise<string> {
  const { stdout } = await run("bash", [TOOLS_SCRIPT], { maxBuffer: 1 << 20, timeout: 20 * 60_000 });
  return stdout.trim();
}

/** Object metadata as rendered. */
export interface ObjectMeta {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** An EnvVar: a value, or a reference (downward API, Secret key). */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string };
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
  };
}

/** A container probe: gRPC, HTTP, TCP or exec. */
export interface Probe {
  readonly grpc?: { readonly port: number };
  readonly httpGet?: { readonly path: string; readonly port: number | string };
  readonly tcpSocket?: { readonly port: number | string };
  readonly exec?: { readonly command: readonly string[] };
}

/** A container security context. */
export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: { readonly drop?: readonly string[] };
}

/** A container, with the fields the tests read. */
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string } }[];
  readonly resources?: {
    readonly limits?: Record<string, string | number>;
    readonly requests?: Record<string, string | number>;
  };
  readonly securityContext?: SecurityContext;
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly volumeMounts?: readonly {
    readonly name: string;
    readonly mountPath: string;
    readonly readOnly?: boolean;
  }[];
}

/** A volume of a pod. */
export interface Volume {
  readonly name: string;
  readonly emptyDir?: { readonly medium?: string; readonly sizeLimit?: string };
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string };
  readonly persistentVolumeClaim?: { readonly claimName: string; readonly readOnly?: boolean };
}

/** A pod spec. */
export interface PodSpec {
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number };
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly restartPolicy?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: readonly Record<string, string>[];
  readonly priorityClassName?: string;
}

/** A rule of a NetworkPolicy. */
export interface PolicyRule {
  readonly ports?: readonly { readonly port: number; readonly protocol?: string }[];
  readonly from?: readonly PolicyPeer[];
  readonly to?: readonly PolicyPeer[];
}

/** A peer of a NetworkPolicy rule. */
export interface PolicyPeer {
  readonly podSelector?: { readonly matchLabels?: Record<string, string> };
  readonly namespaceSelector?: { readonly matchLabels?: Record<string, string> };
  readonly ipBlock?: { readonly cidr: string };
}

/** The spec fields of the kinds the charts render, all optional: each kind has some of them. */
export interface ManifestSpec {
  readonly replicas?: number;
  readonly strategy?: { readonly type: string };
  readonly selector?: { readonly matchLabels?: Record<string, string> };
  readonly template?: { readonly metadata: ObjectMeta; readonly spec: PodSpec };
  readonly backoffLimit?: number;
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  readonly suspend?: boolean;
  readonly podFailurePolicy?: {
    readonly rules: readonly {
      readonly action: string;
      readonly onExitCodes?: { readonly values: number[] };
    }[];
  };
  readonly podSelector?: { readonly matchLabels?: Record<string, string> };
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
  readonly scaleTargetRef?: { readonly kind?: string; readonly name: string };
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly minReplicaCount?: number;
  readonly maxReplicaCount?: number;
  readonly triggers?: readonly { readonly type: string; readonly metadata: Record<string, string> }[];
  readonly maxUnavailable?: number;
  readonly accessModes?: readonly string[];
  readonly ports?: readonly { readonly name: string; readonly port: number }[];
}

/** A Kubernetes object as rendered; only the fields the tests read are typed. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec?: ManifestSpec;
  readonly data?: Record<string, string>;
  readonly rules?: readonly {
    readonly apiGroups: string[];
    readonly resources: string[];
    readonly verbs: string[];
  }[];
  readonly automountServiceAccountToken?: boolean;
}

/** The pod spec of a Deployment or Job; throws when the object has none. */
export function podSpec(m: Manifest): PodSpec {
  const spec = m.spec?.template?.spec;
  if (spec === undefined) throw new Error(`${m.kind} ${m.metadata.name} has no pod template`);
  return spec;
}

/** The one container of a workload. */
export function container(m: Manifest): Container {
  const [first] = podSpec(m).containers;
  if (first === undefined) throw new Error(`${m.kind} ${m.metadata.name} has no container`);
  return first;
}

/** The result of one helm call: exit status and both streams. */
export interface HelmResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm from `bin` and never throws on a failing exit: callers assert on the result. */
export async function helm(bin: string, args: readonly string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await run(join(bin, "helm"), [...args], { maxBuffer: 32 << 20 });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: e.stdout ?? "", stderr: e.stderr ?? e.message };
  }
}

/** `helm template` of a chart in charts/ with values files and extra arguments; throws with helm's message on failure. */
export async function render(
  bin: string,
  chart: string,
  release: string,
  valueFiles: readonly string[],
  extra: readonly string[] = [],
): Promise<{ text: string; objects: Manifest[] }> {
  const args = ["template", release, join(CHARTS, chart), "--namespace", "isara"];
  for (const f of valueFiles) args.push("-f", f);
  const result = await helm(bin, [...args, ...extra]);
  if (!result.ok) throw new Error(`helm template ${chart} failed: ${result.stderr}`);
  return { text: result.stdout, objects: parseManifests(result.stdout) };
}

/** Every non-empty YAML document of a multi-document stream. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

/** The ci/*-values.yaml scenarios of a chart, by name ("minimal" for ci/minimal-values.yaml). */
export function scenarios(chart: string): { name: string; file: string }[] {
  const dir = join(CHARTS, chart, "ci");
  return readdirSync(dir)
    .filter((f) => f.endsWith("-values.yaml"))
    .sort()
    .map((f) => ({ name: f.replace(/-values\.yaml$/, ""), file: join(dir, f) }));
}

/** The ci file of a scenario. */
export function scenarioFile(chart: string, name: string): string {
  return join(CHARTS, chart, "ci", `${name}-values.yaml`);
}

/** One line of charts/kube-score.ignore. */
export interface IgnoredCheck {
  readonly check: string;
  /** `*`, a chart, or `chart/scenario`. */
  readonly where: string;
  readonly reason: string;
}

/** The checks charts/kube-score.ignore skips. */
export function ignoredChecks(): IgnoredCheck[] {
  return readFileSync(join(CHARTS, "kube-score.ignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [rule = "", reason = ""] = line.split(/\s+#\s*/, 2);
      const [check = "", where = ""] = rule.trim().split(/\s+/);
      return { check, where, reason: reason.trim() };
    });
}

/** Runs kube-score on rendered manifests, skipping the checks ignored for this chart and scenario. */
export async function kubeScore(
  bin: string,
  chart: string,
  scenario: string,
  manifests: string,
): Promise<HelmResult> {
  const skipped = ignoredChecks().filter(
    (i) => i.where === "*" || i.where === chart || i.where === `${chart}/${scenario}`,
  );
  const args = ["score", "--kubernetes-version", "v1.31", "--exit-one-on-warning", "--output-format", "ci"];
  for (const i of skipped) args.push("--ignore-test", i.check);
  const child = spawnSync(join(bin, "kube-score"), [...args, "-"], {
    input: manifests,
    encoding: "utf8",
    maxBuffer: 32 << 20,
  });
  return { ok: child.status === 0, stdout: child.stdout, stderr: child.stderr };
}

/** Objects of one kind. */
export function ofKind(objects: readonly Manifest[], kind: string): Manifest[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of a kind and name; throws naming what exists when it is missing. */
export function named(objects: readonly Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) {
    const have = ofKind(objects, kind).map((o) => o.metadata.name);
    throw new Error(`no ${kind} named ${name}; rendered: ${have.join(", ") || "none"}`);
  }
  return found;
}
