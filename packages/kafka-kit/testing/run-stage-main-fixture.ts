/**
 * A stage process for `run-stage-main.test.ts`: `runStageMain` with the shared variables plus
 * FIXTURE_SETUP and FIXTURE_START (`ok` or `fail`), and an app that needs no broker: its start owns
 * one component, whose close is logged, so a test sees what shutdown closed.
 */
import { createHealthRegistry, createMetrics, createProbeListener, loadConfig } from "@isara/kit";
import { z } from "zod";
import { runStageMain } from "../src/run-stage-main.js";
import { stageServiceConfigFrom, stageServiceEnv } from "../src/stage-service-env.js";

const outcome = z.enum(["ok", "fail"]).default("ok");
const schema = z.object(
  stageServiceEnv({ clientId: "isara-fixture" }, { FIXTURE_SETUP: outcome, FIXTURE_START: outcome }),
);

void runStageMain({
  name: "fixture",
  loadConfig: () => {
    const e = loadConfig(schema);
    return { ...stageServiceConfigFrom(e), setup: e.FIXTURE_SETUP, start: e.FIXTURE_START };
  },
  setupCheck: {
    run: (config) => {
      if (config.setup === "fail") throw new Error("FIXTURE_SETUP says this replica cannot work");
    },
    failure: "the fixture cannot run on this replica",
  },
  createApp: ({ config, logger }) => {
    const health = createHealthRegistry();
    const metrics = createMetrics({ prefix: "isara_" });
    health.register("fixture-component", () => "up");
    return {
      health,
      metrics,
      handleHttp: createProbeListener({ health, metrics, logger }),
      async start(shutdown) {
        if (config.start === "fail") throw new Error("FIXTURE_START says the broker is unreachable");
        shutdown.register("fixture-component", () => logger.info("fixture component closed"));
      },
    };
  },
});
