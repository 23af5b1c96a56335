import { randomBytes } from "node:crypto";
import type { Logger } from "@isara/kit";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiMessage } from "./kube-client.js";

/** The object an Event is about, as `kubectl describe` finds its Events (by uid). */
export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** Writes Events about objects. */
export interface EventRecorder {
  /**
   * Records one Event. Never throws: an Event is a courtesy to the person reading `kubectl describe`,
   * so a failure to write one is logged and the work goes on.
   */
  record(subject: EventSubject, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
}

/**
 * Records core/v1 Events (what `kubectl describe` and `kubectl get events` show) as `component`,
 * from `instance` (the pod name). Each call makes a new Event named after its subject, so the story
 * of a resource reads in order.
 */
export function createEventRecorder(
  kc: KubeConfig,
  options: { readonly component: string; readonly instance: string; readonly logger: Logger },
): EventRecorder {
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async record(subject, type, reason, message) {
      const now = new Date();
      try {
        await core.createNamespacedEvent({
          namespace: subject.namespace,
          body: {
            metadata: {
              name: `${subject.name}.${now.getTime().toString(16)}${randomBytes(3).toString("hex")}`,
              namespace: subject.namespace,
            },
            involvedObject: {
              apiVersion: subject.apiVersion,
              kind: subject.kind,
              name: subject.name,
              namespace: subject.namespace,
              uid: subject.uid,
            },
            type,
            reason,
            message: message.slice(0, 1024),
            source: { component: options.component },
            reportingComponent: options.component,
            reportingInstance: options.instance,
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        });
      } catch (err) {
        options.logger.warn(
          { reason, object: subject.name, why: apiMessage(err) },
          "could not record an Event",
        );
      }
    },
  };
}
