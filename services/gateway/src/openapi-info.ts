/**
 * The parts of the OpenAPI document that no route schema holds: title, version, the bearer-token
 * scheme and the tags. `@fastify/swagger` adds every route from its own schema.
 */
import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";

/** API version of `/v1`, bumped with every compatible change to it. */
export const API_VERSION = "1.0.0";

/** The document's header (OpenAPI 3.0.3). */
export const OPENAPI_INFO: NonNullable<FastifyDynamicSwaggerOptions["openapi"]> = {
  openapi: "3.0.3",
  info: {
    title: "ISARA gateway",
    version: API_VERSION,
    description:
      "Align a language model to your domain from a few seed pairs (ISARA, arXiv:2401.06785). Create a domain, start runs on it, read the samples each round wrote with their lineage, and watch runs as they progress. Every /v1 route needs a bearer token; it scopes everything to your tenant, and other tenants' domains and runs read as not found.",
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "A token an operator issued for your tenant.",
      },
    },
  },
  tags: [
    { name: "domains", description: "Your domains: config, seed pairs and eval set." },
    { name: "runs", description: "Alignment runs on your domains." },
    { name: "operations", description: "Probes, metrics and this document; no token needed." },
  ],
};
