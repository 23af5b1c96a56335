/**
 * The HTTP side of a service whose API is not HTTP (the Kafka stages, the gRPC controller and
 * retrieval): Kubernetes probes and Prometheus scraping, nothing else. A plain `node:http` listener
 * (no framework) because there are three fixed GET routes; `main.ts` passes it to
 * `http.createServer`, tests call it in process.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { HealthRegistry, HealthReport } from "./health.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

function sendReport(res: ServerResponse, report: HealthReport): void {
  send(res, report.status === "ok" ? 200 : 503, "application/json", `${JSON.stringify(report)}\n`);
}

/** What {@link createProbeListener} serves from. */
export interface ProbeListenerOptions {
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** Told about a request that failed inside the listener (answered 500). */
  readonly logger: Logger;
  /**
   * Appended to the 404 message after the list of routes, e.g. `(the API is gRPC)`, so a caller who
   * tried an API path on the probe port learns where the API is. Default: nothing.
   */
  readonly notFoundHint?: string;
}

/**
 * Serves `GET /healthz` (liveness: 200 unless a component is broken for good, so the pod is
 * restarted only then), `GET /readyz` (readiness: 200 once the service's readiness checks pass, e.g.
 * the model is loaded and the consumer has joined its group, 503 while starting or draining) with the
 * health report as JSON, and `GET /metrics` in the Prometheus text format. Other paths get 404, other
 * methods 405, each with a hint.
 */
export function createProbeListener(options: ProbeListenerOptions): RequestListener {
  const { health, metrics, logger } = options;
  const hint = options.notFoundHint === undefined ? "" : ` ${options.notFoundHint}`;
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://probe").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      send(res, 405, "application/json", `${JSON.stringify({ error: "only GET and HEAD are served" })}\n`);
      return;
    }
    switch (path) {
      case "/healthz":
        return sendReport(res, await health.liveness());
      case "/readyz":
        return sendReport(res, await health.readiness());
      case "/metrics":
        return send(res, 200, metrics.contentType, await metrics.render());
      default:
        send(
          res,
          404,
          "application/json",
          `${JSON.stringify({ error: `no route ${path}; try /healthz, /readyz or /metrics${hint}` })}\n`,
        );
    }
  }
  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      logger.error({ err, path: req.url }, "probe request failed");
      if (!res.headersSent)
        send(res, 500, "application/json", `${JSON.stringify({ error: "internal error" })}\n`);
      else res.end();
    });
  };
}
