import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { freePort } from "@isara/kit";
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

describe("startKubeApiServer when a picked port is taken before the server binds it", { skip }, () => {
  it("starts the server again on fresh ports", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const taken = (squatter.address() as AddressInfo).port;
    // etcd asks for two ports, then the API server for one: the API server's first pick is taken.
    let picks = 0;
    const kube = await startKubeApiServer({
      pickPort: async () => (++picks === 3 ? taken : freePort()),
    });
    try {
      assert.notEqual(new URL(kube.url).port, String(taken));
      assert.equal(picks, 4);
      assert.match(readFileSync(join(kube.dataDir, "kube-apiserver.log"), "utf8"), /address already in use/);
    } finally {
      await kube.stop();
      squatter.close();
    }
  });
});
