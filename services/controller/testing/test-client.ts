/**
 * Test support (not exported): a ControllerService client over loopback with promise-returning calls,
 * WatchRun collected into a list, and grpc.health.v1 Check.
 */
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from "@grpc/grpc-js";
import {
  type CancelRunRequest,
  ControllerServiceClient,
  type CreateRunRequest,
  type ListRunsRequest,
  type ListRunsResponse,
  type RetryRunRequest,
  type RunStatus,
} from "@isara/contracts";
import { healthServiceDefinition } from "@isara/kit/grpc";

/** A ControllerService client of `address` (`127.0.0.1:PORT`). */
export function controllerClient(address: string) {
  const client = new ControllerServiceClient(address, credentials.createInsecure());
  const metadata = (requestId: string) => {
    const m = new Metadata();
    m.set("x-request-id", requestId);
    return m;
  };
  const call = <Res>(invoke: (cb: (err: ServiceError | null, res: Res) => void) => void) =>
    new Promise<Res>((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));
  return {
    createRun: (request: CreateRunRequest, requestId = "req-test") =>
      call<{ run?: RunStatus | undefined }>((cb) => client.createRun(request, metadata(requestId), cb)),
    getRun: (runId: string) => call<{ run?: RunStatus | undefined }>((cb) => client.getRun({ runId }, cb)),
    listRuns: (request: Partial<ListRunsRequest> = {}) =>
      call<ListRunsResponse>((cb) =>
        client.listRuns({ domain: "", lifecycle: 0, pageSize: 0, pageToken: "", ...request }, cb),
      ),
    cancelRun: (request: CancelRunRequest) =>
      call<{ run?: RunStatus | undefined }>((cb) => client.cancelRun(request, cb)),
    retryRun: (request: RetryRunRequest) =>
      call<{ run?: RunStatus | undefined }>((cb) => client.retryRun(request, cb)),
    /** Every status WatchRun sends until the stream ends (or fails: then it rejects). */
    watchRun: (runId: string) =>
      new Promise<RunStatus[]>((resolve, reject) => {
        const seen: RunStatus[] = [];
        const stream = client.watchRun({ runId });
        stream.on("data", (response: { run?: RunStatus }) => {
          if (response.run) seen.push(response.run);
        });
        stream.on("error", reject);
        stream.on("end", () => resolve(seen));
      }),
    /** grpc.health.v1 Check of `service` ("" = the whole server): the serving status's name. */
    health: (service: string) => {
      const Health = makeGenericClientConstructor(healthServiceDefinition, "Health");
      const health = new Health(address, credentials.createInsecure());
      const check = health.Check as (
        request: { service: string },
        callback: (err: ServiceError | null, res?: { status: string }) => void,
      ) => void;
      return new Promise<string>((resolve, reject) =>
        check.call(health, { service }, (err, res) => {
          health.close();
          if (err) reject(err);
          else resolve(res?.status ?? "");
        }),
      );
    },
    close: () => client.close(),
  };
}
