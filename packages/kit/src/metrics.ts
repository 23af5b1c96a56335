import { IsaraError } from "@isara/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type { Counter, Gauge, Histogram } from "prom-client";

/**
 * Prometheus metrics for one service, served at `/metrics`.
 *
 * Decision: this wraps the `prom-client` package rather than hand-writing the text format, because it
 * is the de-facto Node client and already gets the details right (label value escaping, histogram
 * `_bucket`/`_sum`/`_count` with `le="+Inf"`, OpenMetrics), and it adds the process, heap, GC and
 * event-loop-lag metrics every service wants for free; the wrapper only forces one registry per app
 * (no global state shared between apps or tests), a common name prefix, and IsaraError on misuse.
 */
export interface Metrics {
  /** A monotonically increasing count, e.g. `samples_generated_total{domain}`. */
  counter<L extends string = never>(config: MetricConfig<L>): Counter<L>;
  /** A value that goes up and down, e.g. queue depth; `collect` refreshes it on each scrape. */
  gauge<L extends string = never>(config: MetricConfig<L> & { collect?: (this: Gauge<L>) => void }): Gauge<L>;
  /** A distribution, e.g. request seconds; `buckets` are upper bounds (Prometheus defaults when absent). */
  histogram<L extends string = never>(
    config: MetricConfig<L> & { buckets?: readonly number[] },
  ): Histogram<L>;
  /** The Prometheus text exposition of every metric in this registry. */
  render(): Promise<string>;
  /** The `Content-Type` to serve `render()` with. */
  readonly contentType: string;
  /** The underlying prom-client registry, for integrations that take one. */
  readonly registry: Registry;
}

/** Name, help and label names of a metric; the registry's prefix is prepended to the name. */
export interface MetricConfig<L extends string> {
  /** Snake case, with the unit and `_total` for counters, per Prometheus naming practice. */
  readonly name: string;
  /** One sentence shown in `# HELP`. */
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Prepended to every metric name, e.g. `isara_`. */
  readonly prefix?: string;
  /** Labels added to every series, e.g. `{ service: "retrieval" }`. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /** Also export Node process metrics (CPU, memory, GC, event loop lag); off by default in tests. */
  readonly processMetrics?: boolean;
}

/** Makes a fresh metrics registry for one app (see {@link Metrics} for why it wraps prom-client). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const prefix = options.prefix ?? "";
  if (options.defaultLabels) registry.setDefaultLabels({ ...options.defaultLabels });
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix });

  /** Builds a metric, turning prom-client's plain errors (bad or duplicate name) into IsaraError. */
  function make<M>(kind: string, name: string, build: (fullName: string) => M): M {
    const fullName = `${prefix}${name}`;
    try {
      return build(fullName);
    } catch (err) {
      throw new IsaraError(
        "invalid_argument",
        `cannot create ${kind} "${fullName}": ${err instanceof Error ? err.message : String(err)}`,
        undefined,
        { cause: err },
      );
    }
  }

  return {
    counter(config) {
      return make("counter", config.name, (name) => new Counter({ ...config, name, registers: [registry] }));
    },
    gauge(config) {
      return make("gauge", config.name, (name) => new Gauge({ ...config, name, registers: [registry] }));
    },
    histogram(config) {
      const { buckets, ...rest } = config;
      const bucketOption = buckets === undefined ? {} : { buckets: [...buckets] };
      return make(
        "histogram",
        config.name,
        (name) => new Histogram({ ...rest, ...bucketOption, name, registers: [registry] }),
      );
    },
    render() {
      return registry.metrics();
    },
    contentType: registry.contentType,
    registry,
  };
}
