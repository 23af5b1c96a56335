/**
 * What charts/isara gives a platform team to watch many runs, tenants and domains at once: the Grafana
 * dashboard (charts/isara/dashboards/isara.json, shipped as a ConfigMap for the Grafana sidecar) and
 * the PrometheusRule's alerts. Both render only when asked for, the dashboard is a Grafana dashboard
 * model, every alert tells the operator what to do, and every `isara_*` series the dashboard and the
 * alerts query is one the code registers (collected from the services' and packages' sources), so a
 * renamed or removed metric fails here instead of leaving an empty panel or a silent alert.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import {
  CHARTS,
  chartToolsSkip,
  installChartTools,
  type Manifest,
  named,
  ofKind,
  ROOT,
  render,
  scenarioFile,
} from "./chart-fixture.js";

const skip = chartToolsSkip();
const DASHBOARD_FILE = join(CHARTS, "isara", "dashboards", "isara.json");
/** Every service registers its metrics with this prefix (`createMetrics({ prefix })`). */
const PREFIX = "isara_";
/** Series a histogram adds to its name. */
const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"];
/** Every query of the dashboard names the data source by its variable (Grafana's syntax). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable, not a JavaScript template
const DATASOURCE_VARIABLE = "${datasource}";

/** The `.ts` files under `dir`, tests and generated code left out. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "gen" || entry === "node_modules") continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith(".ts") && !entry.endsWith(".test.ts") && !entry.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/**
 * The metric names the code registers, prefixed: every `metrics.counter|gauge|histogram({ name: "…" })`
 * in services/*\/src and packages/*\/src.
 */
function definedMetrics(): Map<string, string> {
  const defined = new Map<string, string>();
  const pattern = /\.(counter|gauge|histogram)\(\{\s*name:\s*"([a-z0-9_]+)"/g;
  for (const group of ["services", "packages"]) {
    for (const pkg of readdirSync(join(ROOT, group))) {
      const src = join(ROOT, group, pkg, "src");
      if (!statSync(join(ROOT, group, pkg)).isDirectory()) continue;
      let files: string[];
      try {
        files = sourceFiles(src);
      } catch {
        continue;
      }
      for (const file of files) {
        for (const [, kind = "", name = ""] of readFileSync(file, "utf8").matchAll(pattern)) {
          defined.set(`${PREFIX}${name}`, kind);
        }
      }
    }
  }
  return defined;
}

/** Each `isara_*` name in a PromQL expression, a histogram's `_bucket`/`_sum`/`_count` reduced to its name. */
function metricsIn(expr: string, defined: ReadonlyMap<string, string>): string[] {
  return [...expr.matchAll(/\bisara_[a-z0-9_]+/g)].map(([name]) => {
    for (const suffix of HISTOGRAM_SUFFIXES) {
      const base = name.slice(0, -suffix.length);
      if (name.endsWith(suffix) && defined.get(base) === "histogram") return base;
    }
    return name;
  });
}

interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly datasource?: { readonly uid?: string };
}
interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly DashboardTarget[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly DashboardPanel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly type: string }[] };
}

function dashboardExprs(dashboard: Dashboard): { panel: string; expr: string }[] {
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

/** The alerting rules of a rendered PrometheusRule. */
interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: { readonly summary?: string; readonly description?: string };
}
function alertsOf(rule: Manifest): AlertRule[] {
  const spec = rule.spec as unknown as { groups: { name: string; rules: AlertRule[] }[] };
  return spec.groups.flatMap((g) => g.rules);
}

const ALERTS = [
  "IsaraWorkStalled",
  "IsaraConsumerLagHigh",
  "IsaraRunsFailing",
  "IsaraTenantQueueGrowing",
  "IsaraQueueWaitLong",
  "IsaraDeadLetters",
  "IsaraGatewayErrors",
];

describe("the ISARA Grafana dashboard file", () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")) as Dashboard;
  const defined = definedMetrics();

  test("the metric names are collected from the code (the check below is not vacuous)", () => {
    for (const name of [
      "isara_controller_runs",
      "isara_controller_stalled_work_total",
      "isara_kafka_consumer_lag",
      "isara_dead_letters_total",
      "isara_event_streams_open",
    ]) {
      assert.ok(defined.has(name), `${name} among ${[...defined.keys()].join(", ")}`);
    }
    assert.equal(defined.get("isara_controller_queue_wait_seconds"), "histogram");
  });

  test("is a Grafana dashboard model: uid, title, a Prometheus data source variable, unique panel ids inside the grid", () => {
    assert.equal(dashboard.uid, "isara-platform");
    assert.equal(dashboard.title, "ISARA");
    assert.ok(dashboard.schemaVersion >= 36);
    const variables = dashboard.templating.list.map((v) => `${v.name}:${v.type}`);
    assert.ok(variables.includes("datasource:datasource"), variables.join(", "));
    assert.ok(variables.includes("namespace:query"), variables.join(", "));
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, "panel ids are unique");
    for (const p of dashboard.panels) {
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24 columns`);
      if (p.type === "row") continue;
      assert.ok(p.description, `${p.title} says what it shows`);
      assert.ok((p.targets ?? []).length > 0, `${p.title} queries something`);
      for (const t of p.targets ?? [])
        assert.equal(t.datasource?.uid, DATASOURCE_VARIABLE, `${p.title} ${t.refId}`);
    }
  });

  test("every series the dashboard queries is one the code defines", () => {
    const exprs = dashboardExprs(dashboard);
    assert.ok(exprs.length > 20);
    for (const { panel, expr } of exprs) {
      const names = metricsIn(expr, defined);
      assert.ok(names.length > 0, `${panel}: ${expr} queries an isara_ series`);
      for (const name of names) assert.ok(defined.has(name), `${panel}: ${name} is not defined by the code`);
      assert.match(expr, /namespace=~"\$namespace"/, `${panel}: ${expr} follows the namespace variable`);
    }
  });

  test("shows what a platform team watches: runs, queues, work, stalls, results, lag, dead letters, trainings, API errors", () => {
    const used = new Set(dashboardExprs(dashboard).flatMap(({ expr }) => metricsIn(expr, defined)));
    for (const name of [
      "isara_controller_runs",
      "isara_controller_queued_runs",
      "isara_controller_queue_wait_seconds",
      "isara_controller_work_published_total",
      "isara_controller_stalled_work_total",
      "isara_controller_results_total",
      "isara_controller_run_failures_total",
      "isara_kafka_consumer_lag",
      "isara_dead_letters_total",
      "isara_training_in_progress",
      "isara_http_requests_total",
      "isara_controller_grpc_calls_total",
      "isara_grpc_server_calls_total",
    ]) {
      assert.ok(used.has(name), `the dashboard shows ${name}`);
    }
  });
});

describe("charts/isara: dashboard ConfigMap and PrometheusRule", { skip }, () => {
  let bin = "";
  const renderScenario = async (scenario: string, extra: string[] = []) =>
    (await render(bin, "isara", "isara", [scenarioFile("isara", scenario)], extra)).objects;
  before(async () => {
    bin = await installChartTools();
  });

  test("neither renders unless asked for", async () => {
    const objects = await renderScenario("minimal");
    assert.equal(ofKind(objects, "PrometheusRule").length, 0);
    assert.equal(
      objects.filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard !== undefined)
        .length,
      0,
    );
  });

  test("the dashboard ConfigMap carries the sidecar's label and the dashboard file as it is", async () => {
    const objects = await renderScenario("production");
    const cm = named(objects, "ConfigMap", "isara-dashboard");
    assert.equal(cm.metadata.labels?.grafana_dashboard, "1");
    assert.equal(cm.metadata.annotations?.grafana_folder, "ISARA");
    const json = cm.data?.["isara.json"] ?? "";
    assert.deepEqual(JSON.parse(json), JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")));
    assert.match(json, /\{\{lifecycle\}\}/, "Grafana's legend templates are not eaten by helm");

    const elsewhere = await renderScenario("minimal", [
      "--set",
      "grafanaDashboard.enabled=true",
      "--set",
      "grafanaDashboard.namespace=monitoring",
      "--set",
      "grafanaDashboard.labels.team=ml",
    ]);
    const moved = named(elsewhere, "ConfigMap", "isara-dashboard") as Manifest & {
      metadata: { namespace?: string };
    };
    assert.equal(moved.metadata.namespace, "monitoring");
    assert.equal(moved.metadata.labels?.team, "ml");
    assert.equal(moved.metadata.labels?.grafana_dashboard, "1");
  });

  test("the PrometheusRule: every alert is scoped to the release's namespace and says what to do", async () => {
    const rule = named(await renderScenario("production"), "PrometheusRule", "isara");
    assert.equal(rule.apiVersion, "monitoring.coreos.com/v1");
    assert.equal(rule.metadata.labels?.release, "kube-prometheus-stack");
    const alerts = alertsOf(rule);
    assert.deepEqual(
      alerts.map((a) => a.alert),
      ALERTS,
    );
    for (const a of alerts) {
      assert.ok(a.labels.severity, `${a.alert} has a severity`);
      assert.equal(a.labels.team, "ml-platform", `${a.alert} carries additionalAlertLabels`);
      assert.ok(a.annotations.summary, `${a.alert} has a summary`);
      assert.ok((a.annotations.description ?? "").length > 150, `${a.alert} has a description`);
      assert.match(a.for, /^\d+[smh]$/, `${a.alert} for`);
      const selectors = [...a.expr.matchAll(/\bisara_[a-z0-9_]+\{([^}]*)\}/g)];
      assert.ok(selectors.length > 0, `${a.alert}: ${a.expr}`);
      for (const [whole, matchers = ""] of selectors) {
        assert.match(matchers, /namespace="isara"/, `${a.alert}: ${whole} is scoped to the namespace`);
      }
      assert.doesNotMatch(a.expr, /\{\{|<no value>/, `${a.alert}: ${a.expr} is fully rendered`);
      // Prometheus' own templates survive helm for Alertmanager to fill in.
      assert.doesNotMatch(a.annotations.description ?? "", /<no value>/);
    }
    const byName = new Map(alerts.map((a) => [a.alert, a]));
    assert.match(byName.get("IsaraWorkStalled")?.annotations.summary ?? "", /\{\{ \$labels\.phase \}\}/);
    assert.match(
      byName.get("IsaraRunsFailing")?.annotations.description ?? "",
      /POST \/v1\/runs\/:id\/retry/,
    );
    assert.match(byName.get("IsaraConsumerLagHigh")?.annotations.description ?? "", /scale the stage/);
    assert.match(byName.get("IsaraTenantQueueGrowing")?.annotations.description ?? "", /maxRunningRuns/);
    assert.match(byName.get("IsaraDeadLetters")?.annotations.description ?? "", /dlq/);
  });

  test("every series the alerts query is one the code defines", async () => {
    const defined = definedMetrics();
    const rule = named(await renderScenario("production"), "PrometheusRule", "isara");
    for (const a of alertsOf(rule)) {
      const names = metricsIn(a.expr, defined);
      assert.ok(names.length > 0, a.alert);
      for (const name of names)
        assert.ok(defined.has(name), `${a.alert}: ${name} is not defined by the code`);
    }
  });

  test("thresholds, windows and severities come from values", async () => {
    const objects = await renderScenario("production", [
      "--set",
      "prometheusRule.consumerLag.threshold=250",
      "--set",
      "prometheusRule.consumerLag.for=20m",
      "--set",
      "prometheusRule.stalledWork.window=1h",
      "--set",
      "prometheusRule.tenantQueue.maxWaitSeconds=600",
      "--set",
      "prometheusRule.runFailures.severity=critical",
    ]);
    const alerts = new Map(alertsOf(named(objects, "PrometheusRule", "isara")).map((a) => [a.alert, a]));
    const lag = alerts.get("IsaraConsumerLagHigh");
    assert.match(lag?.expr ?? "", /isara_kafka_consumer_lag\{namespace="isara"\}\)\) > 250$/);
    assert.equal(lag?.for, "20m");
    assert.match(alerts.get("IsaraWorkStalled")?.expr ?? "", /\[1h\]\)\) > 0$/);
    assert.match(alerts.get("IsaraQueueWaitLong")?.expr ?? "", /> 600$/);
    assert.equal(alerts.get("IsaraRunsFailing")?.labels.severity, "critical");
  });
});
