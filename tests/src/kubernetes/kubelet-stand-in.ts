/**
 * A STAND-IN for the kubelet and the Job controller, which do not run on these machines (there is
 * an API server and etcd, but no node): it does for one trainer Job what a GPU node would. It reads
 * the Job the way the pod would see it (the spec.json of its ConfigMap volume, the container's
 * environment), runs the real trainer on that spec here on the CPU, and writes the outcome into the
 * Job's status subresource as the Job controller would: `SuccessCriteriaMet` + `Complete` with
 * `succeeded: 1`, or `FailureTarget` + `Failed`. Everything else (the chart, the Job, training-dispatch
 * watching it, the adapter on the shared volume) is the real thing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Kubectl, must } from "./kubectl.js";

/** The parts of a Job the stand-in reads. */
interface Job {
  metadata: { name: string };
  spec: {
    template: {
      spec: {
        containers: { name: string; env?: { name: string; value?: string }[] }[];
        volumes: { name: string; configMap?: { name: string } }[];
      };
    };
  };
}

/** What the stand-in did with a Job. */
export interface KubeletOutcome {
  readonly succeeded: boolean;
  readonly trainerStderr: string;
}

/** Runs `jobName`'s training with `python` (the trainer's environment) and writes its status. */
export function runTrainerJob(kubectl: Kubectl, jobName: string, python: string): KubeletOutcome {
  const job = JSON.parse(must(kubectl, ["get", "job", jobName, "-o", "json"])) as Job;
  const specVolume = job.spec.template.spec.volumes.find((v) => v.name === "spec")?.configMap?.name;
  if (specVolume === undefined) throw new Error(`Job ${jobName} mounts no spec ConfigMap`);
  const specJson = JSON.parse(
    must(kubectl, ["get", "configmap", specVolume, "-o", "jsonpath={.data.spec\\.json}"]) || "null",
  );
  if (specJson === null) throw new Error(`ConfigMap ${specVolume} has no spec.json`);
  const container = job.spec.template.spec.containers.find((c) => c.name === "trainer");
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  const dir = mkdtempSync(join(tmpdir(), "isara-kubelet-"));
  const started = new Date().toISOString();
  try {
    const specPath = join(dir, "spec.json");
    writeFileSync(specPath, JSON.stringify(specJson));
    // The pod's HOME is an emptyDir; here a temp folder. CPU: this machine has no GPU.
    const run = spawnSync(python, ["-m", "isara_trainer", "train", "--spec", specPath], {
      env: { ...process.env, ...env, HOME: dir, ISARA_TRAINER_DEVICE: "cpu" },
      encoding: "utf8",
      timeout: 15 * 60_000,
    });
    const succeeded = run.status === 0;
    const now = new Date().toISOString();
    const condition = (type: string, reason: string, message: string) => ({
      type,
      status: "True",
      lastProbeTime: now,
      lastTransitionTime: now,
      reason,
      message,
    });
    const status = succeeded
      ? {
          startTime: started,
          completionTime: now,
          succeeded: 1,
          active: 0,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [
            condition(
              "SuccessCriteriaMet",
              "CompletionsReached",
              "Reached expected number of succeeded pods",
            ),
            condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"),
          ],
        }
      : {
          startTime: started,
          failed: 1,
          active: 0,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [
            condition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
            condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
          ],
        };
    const args = [
      "patch",
      "job",
      jobName,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ];
    const patched = kubectl(args);
    // The trainer writes its result last; training-dispatch may read it and remove the release before
    // the Job is marked Complete, as on a real cluster. A Job gone after a success needs no status.
    const goneAfterSuccess = succeeded && /NotFound/.test(patched.stderr);
    if (patched.status !== 0 && !goneAfterSuccess) {
      throw new Error(`kubectl ${args.join(" ")} failed (${patched.status}): ${patched.stderr}`);
    }
    return { succeeded, trainerStderr: run.stderr ?? "" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
