import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive, parseProcStat, probeProcess, readProcStat, startTimeOf } from "./process-identity.js";

const linux = process.platform === "linux";

describe("parseProcStat", () => {
  it("reads the state and start time even when the command name has spaces and parentheses", () => {
    const line =
      "4242 (node (gateway) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 1 2 0 0 20 0 11 0 987654 12345 678 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    assert.deepEqual(parseProcStat(line), { state: "S", startTime: "987654" });
  });

  it("refuses text that is not a stat line", () => {
    assert.equal(parseProcStat("no parentheses here"), undefined);
    assert.equal(parseProcStat("1 (x) S 1 2"), undefined);
  });
});

describe("probeProcess", { skip: linux ? false : "needs /proc" }, () => {
  it("tells our live process from a reused PID and from an exited one", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    const pid = child.pid ?? 0;
    const startTime = startTimeOf(pid);
    assert.notEqual(startTime, null);
    assert.equal(probeProcess(pid, startTime), "ours");
    assert.equal(probeProcess(pid, `${startTime}1`), "reused", "another start time is another process");
    child.kill("SIGKILL");
    await once(child, "exit");
    assert.equal(probeProcess(pid, startTime), "gone");
  });

  it("counts a zombie (exited, its parent never reaps it) as gone although its PID answers signals", async () => {
    // The shell's background child exits at once; the shell then becomes `sleep`, which never reaps it.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 30"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      const [chunk] = (await once(parent.stdout, "data")) as [Buffer];
      const pid = Number(chunk.toString().trim());
      const startTime = startTimeOf(pid);
      const deadline = Date.now() + 5000;
      while (readProcStat(pid)?.state !== "Z" && Date.now() < deadline) await sleep(20);
      assert.equal(isAlive(pid), true, "signal 0 still reaches a zombie");
      assert.equal(probeProcess(pid, startTime), "gone");
    } finally {
      parent.kill("SIGKILL");
    }
  });
});
