/**
 * Bearer-token authentication of every `/v1` request, before its body is even parsed: a request
 * without a valid token is answered 401 with a `WWW-Authenticate` challenge (RFC 6750) and a message
 * saying what to send, and nothing behind it runs. A valid token binds the request to its tenant,
 * which every route then uses to scope names; the tenant joins the request's log lines.
 */
import { IsaraError, toErrorBody } from "@isara/kit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type TokenTable, tenantOfToken } from "./token-table.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The tenant the request's bearer token acts for; set by the auth hook on every `/v1` route. */
    tenant: string;
  }
}

/** The protection space named in challenges. */
export const AUTH_REALM = "isara";

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  challenge: string,
  message: string,
): FastifyReply {
  request.log.info({ reason: message }, "request refused: not authenticated");
  return reply
    .code(401)
    .header("www-authenticate", `Bearer realm="${AUTH_REALM}"${challenge}`)
    .send(toErrorBody(new IsaraError("unauthenticated", message), request.id));
}

/** The `onRequest` hook that authenticates requests against `tokens` (see the module comment). */
export function createAuthHook(tokens: TokenTable) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === "") {
      return refuse(
        request,
        reply,
        "",
        'missing bearer token; send the header "Authorization: Bearer <token>" with a token an operator gave you',
      );
    }
    const match = BEARER.exec(header);
    const token = match?.[1];
    if (token === undefined) {
      return refuse(
        request,
        reply,
        ', error="invalid_request"',
        'the Authorization header is not "Bearer <token>"; send exactly that, with one space after "Bearer"',
      );
    }
    const tenant = tenantOfToken(tokens, token);
    if (tenant === undefined) {
      return refuse(
        request,
        reply,
        ', error="invalid_token"',
        "the bearer token is not valid (unknown or revoked); check it, or ask an operator for a new one",
      );
    }
    request.tenant = tenant;
    request.log = request.log.child({ tenant });
    return undefined;
  };
}
