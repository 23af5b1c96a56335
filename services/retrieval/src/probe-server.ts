/**
 * The HTTP side of the retrieval service: Kubernetes probes and Prometheus scraping, nothing else
 * (the API is gRPC). A plain `node:http` listener, no framework, because there are three fixed GET
 * routes; `main.ts` passes it to `http.createServer`, tests call it over a real socket.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { HealthRegistry, HealthReport, Logger, Metrics } from "@isara/kit";

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

function sendReport(res: ServerResponse, report: HealthReport): void {
  send(res, report.status === "ok" ? 200 : 503, "application/json", `${JSON.stringify(report)}\n`);
}

/**
 * Serves `GET /healthz` (liveness), `GET /readyz` (readiness: 200 once the gRPC server is serving
 * and the vector store answers, 503 while starting or draining, with the report as JSON) and
 * `GET /metrics` (Prometheus text). Other paths get 404, other methods 405, each with a hint.
 */
export function createProbeListener(options: {
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  readonly logger: Logger;
}): RequestListener {
  const { health, metrics, logger } = options;
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
          `${JSON.stringify({ error: `no route ${path}; try /healthz, /readyz or /metrics (the API is gRPC)` })}\n`,
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
