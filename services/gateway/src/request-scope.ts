/**
 * What a route knows about the request it serves, bound once: the request's logger gains the run and
 * domain (so every line about a run can be found by one query), and the same ids go to the controller
 * as gRPC metadata. Run ids are turned into the controller's tenant-scoped ids here and nowhere else.
 */
import { IsaraError } from "@isara/core";
import { logContextBindings } from "@isara/kit";
import type { FastifyRequest } from "fastify";
import type { CallContext, ControllerCalls } from "./controller-calls.js";
import { scopedRunId } from "./tenant-scope.js";

/**
 * Binds `run` (the controller's id) and `domain` to the request's logger and returns the context of
 * controller calls made for it.
 */
export function scopeRequest(
  request: FastifyRequest,
  ids: { run?: string; domain?: string } = {},
): CallContext {
  const bindings = logContextBindings({ run: ids.run, domain: ids.domain });
  if (Object.keys(bindings).length > 0) request.log = request.log.child(bindings);
  return { requestId: request.id, tenant: request.tenant, ...bindings };
}

/** The 404 of a run the tenant does not have; the same words whether it exists for another tenant or not at all. */
export function runNotFound(id: string): IsaraError {
  return new IsaraError("not_found", `run "${id}" not found; list your runs with GET /v1/runs`);
}

/** A tenant's run: its id as the tenant knows it, the controller's id, and the call context. */
export interface OwnRun {
  readonly id: string;
  readonly scoped: string;
  readonly ctx: CallContext;
}

/** Scopes the request to the tenant's run `id` (see {@link scopeRequest}). */
export function ownRun(request: FastifyRequest, id: string): OwnRun {
  const scoped = scopedRunId(request.tenant, id);
  return { id, scoped, ctx: scopeRequest(request, { run: scoped }) };
}

/**
 * Calls the controller about a tenant's run, turning its NOT_FOUND into {@link runNotFound} with the
 * tenant's id (the controller's message would name the scoped id).
 */
export async function aboutRun<T>(run: OwnRun, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof IsaraError && err.code === "not_found") throw runNotFound(run.id);
    throw err;
  }
}

/** The tenant's run's current status from the controller (404 when the tenant has no such run). */
export function getOwnRun(controller: ControllerCalls, run: OwnRun) {
  return aboutRun(run, () => controller.getRun(run.scoped, run.ctx));
}
