/**
 * `/v1/domains`: a tenant's domains. Creating one validates it completely (shape by JSON schema, then
 * meaning by core's `parseDomain`, every problem listed with its field and fix) before anything is
 * written, so a refused domain leaves the store exactly as it was.
 */
import { type Domain, type FileProblem, IsaraError, parseDomain } from "@isara/core";
import type { FastifyInstance } from "fastify";
import { bearerSecurity, errorResponses } from "./common-schemas.js";
import {
  createDomainBodySchema,
  domainDetailSchema,
  domainParamsSchema,
  domainSummarySchema,
} from "./domain-schemas.js";
import type { DomainStore, DomainSummary } from "./domain-store.js";
import { scopeRequest } from "./request-scope.js";
import type { RequestProblem } from "./schema-problems.js";

/** `config` / `seeds` / `eval` problems of core's validator as request problems on body fields. */
function bodyProblem(problem: FileProblem): RequestProblem {
  const row = problem.row ?? problem.line;
  const section =
    problem.file === "config" ? "config" : row === null ? problem.file : `${problem.file}[${row - 1}]`;
  const field = problem.field === null ? section : `${section}.${problem.field}`;
  return { in: "body", field, problem: problem.message };
}

/**
 * The domain in a request body, validated by core.
 * @throws IsaraError `invalid_argument` listing every problem, with `details` as request problems.
 */
export function parseDomainBody(body: { config: unknown; seeds: unknown[]; eval: unknown[] }): Domain {
  try {
    return parseDomain(body, { config: "config", seeds: "seeds", eval: "eval" });
  } catch (err) {
    if (err instanceof IsaraError && err.code === "invalid_argument" && Array.isArray(err.details)) {
      const details = (err.details as FileProblem[]).map(bodyProblem);
      throw new IsaraError("invalid_argument", err.message, details, { cause: err });
    }
    throw err;
  }
}

function summaryOf(domain: Domain): DomainSummary {
  return {
    name: domain.config.name,
    description: domain.config.description,
    seeds: domain.seeds.length,
    evalItems: domain.eval.length,
  };
}

/** Registers the domain routes on the `/v1` scope. */
export function registerDomainRoutes(v1: FastifyInstance, domains: DomainStore): void {
  const tags = ["domains"];

  v1.post(
    "/domains",
    {
      schema: {
        summary: "Create a domain (config, seeds, eval set)",
        description:
          "Validates the whole domain and stores it for your tenant. The same domain again answers 200 and changes nothing; another domain under an existing name is refused with 409.",
        tags,
        security: bearerSecurity,
        body: createDomainBodySchema,
        response: {
          201: { description: "Created.", ...domainSummarySchema },
          200: {
            description: "The same domain was stored already; nothing changed.",
            ...domainSummarySchema,
          },
          ...errorResponses(400, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const domain = parseDomainBody(request.body as { config: unknown; seeds: unknown[]; eval: unknown[] });
      scopeRequest(request, { domain: domain.config.name });
      const outcome = await domains.save(request.tenant, domain);
      request.log.info({ outcome }, "domain saved");
      return reply.code(outcome === "created" ? 201 : 200).send(summaryOf(domain));
    },
  );

  v1.get(
    "/domains",
    {
      schema: {
        summary: "List your domains",
        tags,
        security: bearerSecurity,
        response: {
          200: {
            description: "Your domains by name.",
            type: "object",
            required: ["domains"],
            properties: { domains: { type: "array", items: domainSummarySchema } },
          },
          ...errorResponses(),
        },
      },
    },
    async (request) => ({ domains: await domains.list(request.tenant) }),
  );

  v1.get(
    "/domains/:name",
    {
      schema: {
        summary: "Read one domain with its seeds and eval set",
        tags,
        security: bearerSecurity,
        params: domainParamsSchema,
        response: {
          200: { description: "The domain as stored, defaults filled in.", ...domainDetailSchema },
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      scopeRequest(request, { domain: name });
      const domain = await domains.load(request.tenant, name);
      if (domain === undefined) {
        throw new IsaraError(
          "not_found",
          `domain "${name}" not found; create it with POST /v1/domains, or list yours with GET /v1/domains`,
        );
      }
      const { config, seeds } = domain;
      return { name: config.name, description: config.description, config, seeds, eval: domain.eval };
    },
  );
}
