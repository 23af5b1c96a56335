/**
 * The gateway's JSON body parser: fastify's own (with its prototype-poisoning checks), fed strict
 * UTF-8. fastify decodes a body with `Buffer#toString`, which turns bytes that are not UTF-8 into
 * U+FFFD without a word, so a domain uploaded from a file saved as Latin-1 would be stored, and
 * trained on, with replacement characters. Such a body is refused instead, as `invalid_argument`
 * (400) naming the line, column and byte offset of the first bad byte, and how to fix it.
 */
import { findUtf8Fault, IsaraError, utf8FaultPlace } from "@isara/core";
import type { FastifyInstance } from "fastify";

const MEDIA_TYPE = "application/json";

/** The error for a body that is not UTF-8, located as core locates bad bytes in domain files. */
function notUtf8(body: Uint8Array): IsaraError {
  const fault = findUtf8Fault(body);
  const where = fault === undefined ? "" : ` at line ${fault.line}, ${utf8FaultPlace(fault)}`;
  return new IsaraError(
    "invalid_argument",
    `the request body is not valid UTF-8${where}; send JSON encoded as UTF-8 ` +
      "(re-save the domain's files as UTF-8 before reading them into the request)",
    fault,
  );
}

/** Replaces `server`'s JSON body parser with the strict one (see the module comment). */
export function useStrictUtf8Json(server: FastifyInstance): void {
  const parseJson = server.getDefaultJsonParser("error", "error");
  const decoder = new TextDecoder("utf-8", { fatal: true });
  server.removeContentTypeParser(MEDIA_TYPE);
  server.addContentTypeParser(MEDIA_TYPE, { parseAs: "buffer" }, (request, body, done) => {
    const bytes = body as Buffer;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      done(notUtf8(bytes), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
