import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@isara/kit";
import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import { apiMessage, apiStatus } from "./kube-client.js";

/** How {@link createLeaderElection} competes for its Lease. */
export interface LeaderElectionOptions {
  readonly namespace: string;
  /** The Lease's name; every replica of one deployment uses the same. */
  readonly name: string;
  /** This replica's identity in the Lease (the pod name). */
  readonly identity: string;
  readonly logger: Logger;
  /** How long a Lease not renewed stays its holder's. Default 15 s (client-go's default). */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps leading while renewals fail. Default 10 s; must be below the duration. */
  readonly renewDeadlineMs?: number;
  /** Wait between two tries (to acquire or to renew). Default 2 s. */
  readonly retryPeriodMs?: number;
  /** Time source; tests move it. Default `Date.now`. */
  readonly now?: () => number;
}

/** Leadership of one Lease by this replica. */
export interface LeaderElection {
  /** Resolves once this replica holds the Lease; rejects with an AbortError when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Whether this replica holds the Lease now. */
  isLeader(): boolean;
  /** Resolves when leadership, once acquired, is lost (renewals failed past the deadline, or another holder). */
  readonly lost: Promise<string>;
  /** Stops renewing and gives the Lease up, so a standby takes over at once instead of after the duration. */
  release(): Promise<void>;
}

type Attempt = "held" | "other" | "failed";

/**
 * Leader election through a coordination.k8s.io Lease, as client-go's leaderelection does it: a
 * replica takes the Lease when it is free or its holder has not renewed it for `leaseDuration` (timed
 * by this replica's clock from when it last saw the record change, so clocks need not agree), and
 * every write carries the resourceVersion it read, so two replicas can never both win. The leader
 * renews every retry period and gives up leading once renewals have failed for `renewDeadline`,
 * which is shorter than the duration: it stops before anyone else may start.
 */
export function createLeaderElection(kc: KubeConfig, options: LeaderElectionOptions): LeaderElection {
  const api = kc.makeApiClient(CoordinationV1Api);
  const { namespace, name, identity, logger } = options;
  const durationMs = options.leaseDurationMs ?? 15_000;
  const deadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryMs = options.retryPeriodMs ?? 2000;
  const now = options.now ?? Date.now;
  if (!(deadlineMs < durationMs)) throw new Error("renewDeadlineMs must be shorter than leaseDurationMs");
  let observed: { key: string; at: number } | undefined;
  let leading = false;
  let stopped = false;
  let lastRenew = 0;
  let resolveLost: (why: string) => void = () => {};
  const lost = new Promise<string>((resolve) => {
    resolveLost = resolve;
  });

  const spec = (previous: V1Lease["spec"], taking: boolean) => {
    const at = new V1MicroTime(now());
    return {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(durationMs / 1000),
      acquireTime: taking ? at : (previous?.acquireTime ?? at),
      renewTime: at,
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (taking && previous !== undefined ? 1 : 0),
    };
  };

  async function attempt(): Promise<Attempt> {
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (apiStatus(err) !== 404) {
        logger.warn({ lease: name, why: apiMessage(err) }, "cannot read the leader Lease");
        return "failed";
      }
      try {
        await api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: spec(undefined, true) },
        });
        return "held";
      } catch (createErr) {
        if (apiStatus(createErr) !== 409)
          logger.warn({ lease: name, why: apiMessage(createErr) }, "cannot create the leader Lease");
        return apiStatus(createErr) === 409 ? "other" : "failed";
      }
    }
    const holder = lease.spec?.holderIdentity ?? "";
    const key = `${holder}/${lease.spec?.renewTime?.toString() ?? ""}/${lease.metadata?.resourceVersion ?? ""}`;
    if (observed?.key !== key) observed = { key, at: now() };
    const mine = holder === identity;
    const seconds = lease.spec?.leaseDurationSeconds ?? Math.ceil(durationMs / 1000);
    if (!mine && holder !== "" && observed.at + seconds * 1000 > now()) return "other";
    try {
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: { metadata: { ...lease.metadata, name, namespace }, spec: spec(lease.spec, !mine) },
      });
      return "held";
    } catch (err) {
      if (apiStatus(err) === 409) return "other";
      logger.warn({ lease: name, why: apiMessage(err) }, "cannot update the leader Lease");
      return "failed";
    }
  }

  async function renewLoop(): Promise<void> {
    while (!stopped && leading) {
      await sleep(retryMs);
      if (stopped || !leading) return;
      const result = await attempt();
      if (result === "held") {
        lastRenew = now();
        continue;
      }
      if (result === "other" || now() - lastRenew > deadlineMs) {
        leading = false;
        const why =
          result === "other"
            ? "another replica holds the Lease"
            : `renewals failed for more than ${deadlineMs} ms`;
        logger.error({ lease: name, why }, "lost leadership");
        resolveLost(why);
        return;
      }
    }
  }

  return {
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        if ((await attempt()) === "held") {
          leading = true;
          lastRenew = now();
          logger.info({ lease: name, identity }, "leading");
          void renewLoop();
          return;
        }
        await sleep(retryMs, undefined, { signal });
      }
    },
    isLeader: () => leading,
    lost,
    async release() {
      stopped = true;
      if (!leading) return;
      leading = false;
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity !== identity) return;
        const at = new V1MicroTime(now());
        await api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            metadata: lease.metadata ?? { name, namespace },
            spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: at },
          },
        });
        logger.info({ lease: name }, "released leadership");
      } catch (err) {
        logger.warn(
          { lease: name, why: apiMessage(err) },
          "could not release the Lease; a standby takes over when it expires",
        );
      }
    },
  };
}
