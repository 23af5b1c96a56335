/**
 * How fastify checks requests against the route schemas. Bodies are checked strictly: no type
 * coercion (`"3"` is not a number), no defaults filled and no unknown field silently dropped, so
 * a misspelt field is refused with its name instead of being ignored. Query and path parameters are
 * text on the wire, so they are coerced (`?round=2` is the integer 2, `?accepted=true` the boolean),
 * still without dropping unknown parameters. Every error is reported (`allErrors`) with the offending
 * value (`verbose`), so one answer lists every problem with what was sent.
 */
import { Ajv } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

function createAjv(coerceTypes: boolean): Ajv {
  return new Ajv({
    allErrors: true,
    verbose: true,
    coerceTypes,
    useDefaults: false,
    removeAdditional: false,
    allowUnionTypes: true,
    strict: true,
  });
}

/** The validator compiler of the gateway (see the module comment). */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv(false);
  const coercing = createAjv(true);
  return ({ schema, httpPart }) => (httpPart === "body" ? strict : coercing).compile(schema as object);
}
