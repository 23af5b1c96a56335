import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { kubeSkipReason } from "./kube-binaries.js";
import { type KubeApiServer, startKubeApiServer } from "./start-kube.js";

const run = promisify(execFile);
const skip = kubeSkipReason();

describe("startKubeApiServer", { skip }, () => {
  let kube: KubeApiServer;
  before(async () => {
    kube = await startKubeApiServer();
  });
  after(async () => {
    await kube?.stop();
  });

  it("serves the real API to kubectl through its kubeconfig", async () => {
    const { stdout } = await run("kubectl", [
      "--kubeconfig",
      kube.kubeconfigPath,
      "get",
      "namespace",
      "default",
      "-o",
      "name",
    ]);
    assert.equal(stdout.trim(), "namespace/default");
  });

  it("validates objects as a cluster does", async () => {
    const bad = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_A_Name" } });
    const res = spawnSync("kubectl", ["--kubeconfig", kube.kubeconfigPath, "create", "-f", "-"], {
      input: bad,
      encoding: "utf8",
    });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /Not_A_Name.*Invalid value|Invalid value.*Not_A_Name/s);
  });

  it("stops both servers and removes its folder", async () => {
    const other = await startKubeApiServer();
    await other.stop();
    assert.equal(existsSync(other.dataDir), false);
    await other.stop();
  });
});
