/**
 * JSON schemas shared by the routes: the error body every failure has, the error responses each route
 * documents, and small helpers. Fastify validates requests against the route schemas and
 * `@fastify/swagger` builds `/openapi.json` from the very same objects, so the document cannot drift
 * from what the gateway enforces.
 */
import { ERROR_CODES } from "@isara/core";

/** `{ error: { code, message, details, requestId } }`, the body of every non-2xx answer. */
export const errorBodySchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: {
          type: "string",
          enum: [...ERROR_CODES],
          description: "What kind of failure (core's error codes).",
        },
        message: { type: "string", description: "What is wrong and how to fix it." },
        details: {
          description: "Structured details, e.g. the list of problems with `in`, `field` and `problem`.",
        },
        requestId: { type: "string", description: "Id of the request, as in the server's log." },
      },
    },
  },
} as const;

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "The request is invalid; `details` lists every problem with its field and how to fix it.",
  401: "No bearer token, or one the gateway does not accept (see the WWW-Authenticate header).",
  404: "No such resource for this tenant (another tenant's resources read as absent too).",
  409: "The resource exists with other content, or the request does not fit its state.",
  413: "The request body is over the gateway's limit; the message says the limit.",
  415: "The request body is not JSON.",
  429: "A limit of your tenant is reached (e.g. its queue of waiting runs is full); the message names the limit and how to raise it.",
  503: "The controller is unreachable; retry later.",
  504: "The controller did not answer in time; retry later.",
};

/** The documented error responses of a route, by status. */
export function errorResponses(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const status of [401, ...statuses, 503, 504]) {
    out[status] = { description: ERROR_DESCRIPTIONS[status] ?? "Failure.", ...errorBodySchema };
  }
  return out;
}

/** Every `/v1` route requires a bearer token (the `bearerAuth` scheme of the document). */
export const bearerSecurity = [{ bearerAuth: [] }];

/** A non-empty string of at most `max` characters, described for the document. */
export function textSchema(max: number, description?: string) {
  return { type: "string", minLength: 1, maxLength: max, ...(description ? { description } : {}) } as const;
}

/** `schema` or null. */
export function nullable<S extends { readonly type: string }>(schema: S) {
  return { ...schema, type: [schema.type, "null"] } as const;
}

/** `nextCursor`: the cursor of the next page, `null` on the last one. */
export const nextCursorSchema = {
  type: ["string", "null"],
  description: "Pass as `cursor` to get the next page; null on the last page.",
} as const;
