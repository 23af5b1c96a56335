import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exitReason, type ProcessRecord, pendingRecord } from "./process-record.js";
import { type Observation, serviceStatus } from "./service-status.js";

const now = Date.parse("2025-01-01T12:00:00Z");
const running: ProcessRecord = {
  ...pendingRecord("gateway"),
  pid: 4242,
  startTime: "1000",
  state: "running",
  startedAt: "2025-01-01T11:00:00Z",
};
const seen = (over: Partial<Observation>): Observation => ({
  probe: "ours",
  ready: true,
  supervised: true,
  now,
  ...over,
});

describe("serviceStatus", () => {
  it("shows running only while the recorded process lives and answers ready", () => {
    assert.equal(serviceStatus(running, seen({})).state, "running");
    assert.equal(serviceStatus(running, seen({ ready: null })).state, "running", "no endpoint to ask");
    assert.equal(serviceStatus(running, seen({ ready: false })).state, "not ready");
  });

  it("never shows a dead process as running, whatever the record says", () => {
    for (const probe of ["gone", "reused"] as const) {
      for (const supervised of [true, false]) {
        const status = serviceStatus(running, seen({ probe, supervised }));
        assert.equal(status.state, "exited", `${probe}, supervised ${supervised}`);
        assert.equal(status.pid, null);
      }
    }
    const reused = serviceStatus(running, seen({ probe: "reused", supervised: false }));
    assert.match(reused.detail, /pid 4242 exited, its number now belongs to another process/);
    assert.match(reused.detail, /not restarted: no supervisor runs/);
  });

  it("shows an out-of-memory kill with its code, signal and uptime once the supervisor recorded it", () => {
    const record: ProcessRecord = {
      ...running,
      state: "exited",
      lastExit: {
        pid: 4242,
        code: null,
        signal: "SIGABRT",
        at: "2025-01-01T11:59:50Z",
        uptimeMs: 3_600_000,
        logTail: ["FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"],
      },
    };
    const status = serviceStatus(record, seen({ probe: "gone", supervised: false }));
    assert.equal(status.state, "exited");
    assert.match(
      status.detail,
      /^signal SIGABRT \(JavaScript heap out of memory\) after 60 min up, 10 s ago/,
    );
  });

  it("shows a scheduled restart with its count, when, and the last reason", () => {
    const record: ProcessRecord = {
      ...running,
      state: "restarting",
      restarts: 2,
      nextRestartAt: "2025-01-01T12:00:04Z",
      lastExit: { pid: 4242, code: 1, signal: null, at: "2025-01-01T11:59:59Z", uptimeMs: 900, logTail: [] },
    };
    const status = serviceStatus(record, seen({ probe: "gone" }));
    assert.equal(status.state, "restarting");
    assert.equal(status.detail, "restart 3 in 4 s; last exit: exit code 1 after 900 ms up, 1 s ago");
    const orphan = serviceStatus(record, seen({ probe: "gone", supervised: false }));
    assert.equal(orphan.state, "exited", "no supervisor is left to do the restart");
  });

  it("shows the restarts of a process that came back", () => {
    const record: ProcessRecord = {
      ...running,
      pid: 5000,
      restarts: 1,
      lastExit: {
        pid: 4242,
        code: null,
        signal: "SIGKILL",
        at: "2025-01-01T11:58:00Z",
        uptimeMs: 5000,
        logTail: [],
      },
    };
    const status = serviceStatus(record, seen({}));
    assert.equal(status.state, "running");
    assert.equal(status.pid, 5000);
    assert.equal(
      status.detail,
      "1 restart, last exit: signal SIGKILL (out-of-memory killer or kill -9) after 5 s up, 2 min ago",
    );
  });

  it("tells stopped and not-yet-started processes apart from crashed ones", () => {
    assert.equal(serviceStatus(pendingRecord("gateway"), seen({ probe: null })).state, "not started");
    assert.equal(serviceStatus({ ...running, state: "stopped" }, seen({ probe: "gone" })).state, "stopped");
  });
});

describe("exitReason", () => {
  it("names the code or the signal", () => {
    assert.equal(exitReason({ code: 3, signal: null, logTail: [] }), "exit code 3");
    assert.equal(exitReason({ code: null, signal: "SIGTERM", logTail: [] }), "signal SIGTERM");
  });
});
