/**
 * Static checks of the container images: the root Dockerfile, which builds every Node service's image
 * (`--build-arg SERVICE=<name>`), and the Dockerfile of each other service (the trainer's). No
 * container engine runs where the tests run, so the images are never built here; these checks catch
 * what would otherwise show up only at `docker build` or in the cluster: a service without an image, a
 * COPY of a path that moved or that .dockerignore hides, an image that runs as root (refused by the
 * chart's runAsNonRoot), a CMD that names a file the build does not produce, ports that disagree with
 * the service's config. Each image is checked as BuildKit builds it: build arguments substituted, the
 * final stage followed through the stages it is FROM, and only the stages it uses.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "@isara/testkit";

const ROOT = repoRoot();

/** One Dockerfile instruction: keyword upper-cased, arguments with continuation lines joined. */
interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions of a Dockerfile; comments (also inside continuations) and blank lines are dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const continued = line.endsWith("\\");
    pending += `${pending === "" ? "" : " "}${continued ? line.slice(0, -1).trim() : line}`;
    if (continued) continue;
    const space = pending.search(/\s/);
    const keyword = space < 0 ? pending : pending.slice(0, space);
    instructions.push({
      keyword: keyword.toUpperCase(),
      args: space < 0 ? "" : pending.slice(space + 1).trim(),
    });
    pending = "";
  }
  return instructions;
}

/** Words of an instruction's arguments, exec form (a JSON array) or shell form (split on spaces). */
function words(args: string): string[] {
  return args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter((w) => w !== "");
}

/** A build stage: `FROM <base> [AS <name>]` and its instructions, with build arguments substituted. */
interface Stage {
  readonly name: string | undefined;
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

/** `text` with `${NAME}` and `$NAME` replaced where NAME is in `vars`; other `$` words (the shell's) stay. */
function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    return vars.get(braced ?? bare ?? "") ?? whole;
  });
}

/** Instructions whose arguments see build arguments: Docker substitutes them, RUN's shell has them. */
const SEES_ARGS = new Set([
  "ADD",
  "COPY",
  "ENV",
  "EXPOSE",
  "LABEL",
  "RUN",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/**
 * The stages of a Dockerfile as a build with `buildArgs` sees them. As in Docker, an ARG before the
 * first FROM is visible only in FROM lines; inside a stage an ARG must be declared again, and an
 * instruction sees only the ARGs declared above it in its stage (a declared ARG with no value is empty).
 * CMD and ENTRYPOINT see none: they run in the container, where build arguments no longer exist.
 */
function stagesOf(
  instructions: readonly Instruction[],
  buildArgs: Readonly<Record<string, string>>,
): Stage[] {
  const argOf = (args: string): [string, string | undefined] => {
    const eq = args.indexOf("=");
    return eq < 0 ? [args.trim(), undefined] : [args.slice(0, eq).trim(), args.slice(eq + 1).trim()];
  };
  const globals = new Map<string, string>();
  const stages: { name: string | undefined; base: string; instructions: Instruction[] }[] = [];
  let vars = new Map<string, string>();
  for (const instruction of instructions) {
    const current = stages.at(-1);
    if (instruction.keyword === "FROM") {
      const [base = "", as, name] = words(substitute(instruction.args, globals)).filter(
        (w) => !w.startsWith("--"),
      );
      stages.push({ name: as?.toUpperCase() === "AS" ? name : undefined, base, instructions: [] });
      vars = new Map();
    } else if (instruction.keyword === "ARG") {
      const [name, fallback] = argOf(instruction.args);
      const value = buildArgs[name] ?? (fallback === undefined ? undefined : substitute(fallback, vars));
      if (current === undefined) globals.set(name, value ?? "");
      else {
        vars.set(name, value ?? globals.get(name) ?? "");
        current.instructions.push(instruction);
      }
    } else if (current !== undefined) {
      const args = SEES_ARGS.has(instruction.keyword) ? substitute(instruction.args, vars) : instruction.args;
      current.instructions.push({ keyword: instruction.keyword, args });
    }
  }
  return stages;
}

/** The stage `name` among the stages before `stage` (a FROM or --from can only name an earlier one). */
function earlierStage(stages: readonly Stage[], stage: Stage, name: string): Stage | undefined {
  return stages.slice(0, stages.indexOf(stage)).find((s) => s.name !== undefined && s.name === name);
}

/** What the shipped image is made of: the last stage and the stages it is FROM, base first. */
function imageChain(stages: readonly Stage[]): Stage[] {
  const chain: Stage[] = [];
  for (let stage = stages.at(-1); stage !== undefined; stage = earlierStage(stages, stage, stage.base)) {
    chain.unshift(stage);
  }
  return chain;
}

/** The stages a build of the last stage runs (BuildKit skips the others): FROM and --from, followed. */
function builtStages(stages: readonly Stage[]): Stage[] {
  const seen = new Set<Stage>();
  const todo = stages.slice(-1);
  for (let stage = todo.pop(); stage !== undefined; stage = todo.pop()) {
    if (seen.has(stage)) continue;
    seen.add(stage);
    const from = stage.instructions.flatMap((i) =>
      words(i.args).flatMap((w) =>
        [...w.matchAll(/(?:^--from=|^--mount=.*\bfrom=)([^,\s]+)/g)].map((m) => m[1] ?? ""),
      ),
    );
    for (const name of [stage.base, ...from]) {
      const used = earlierStage(stages, stage, name);
      if (used !== undefined) todo.push(used);
    }
  }
  return stages.filter((s) => seen.has(s));
}

/** ENV pairs of a stage (`ENV A=1 B=2`), later values winning. */
function envOf(stage: readonly Instruction[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const { args } of stage.filter((i) => i.keyword === "ENV")) {
    for (const pair of words(args)) {
      const eq = pair.indexOf("=");
      if (eq > 0) env.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  return env;
}

/** Whether .dockerignore keeps `path` (relative to the repository root) out of the build context. */
function ignoredByDockerignore(path: string): boolean {
  const file = join(ROOT, ".dockerignore");
  if (!existsSync(file)) return false;
  let ignored = false;
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, "");
    const regex = pattern
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) =>
        part === "**/"
          ? "(.*/)?"
          : part === "**"
            ? ".*"
            : part === "*"
              ? "[^/]*"
              : part === "?"
                ? "[^/]"
                : part.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
      )
      .join("");
    // A pattern that matches a folder hides everything below it.
    if (new RegExp(`^${regex}(/.*)?$`).test(path)) ignored = !negated;
  }
  return ignored;
}

/** Ports a service listens on by default: `envPort().default(N)` in its config and the packages it imports. */
function configPorts(service: string): number[] {
  const config = readFileSync(join(ROOT, "services", service, "src/config.ts"), "utf8");
  const sources = [config];
  for (const [, pkg] of config.matchAll(/from "@isara\/([\w-]+)"/g)) {
    const src = join(ROOT, "packages", pkg ?? "", "src");
    if (!existsSync(src)) continue;
    for (const name of readdirSync(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      sources.push(readFileSync(join(src, name), "utf8"));
    }
  }
  const ports = sources.flatMap((text) =>
    [...text.matchAll(/envPort\(\)\.default\(([\d_]+)\)/g)].map((m) =>
      Number((m[1] ?? "").replaceAll("_", "")),
    ),
  );
  return [...new Set(ports)].sort((a, b) => a - b);
}

const services = readdirSync(join(ROOT, "services"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const nodeServices = services.filter((s) => existsSync(join(ROOT, "services", s, "src/main.ts")));
const ownDockerfile = services.filter((s) => existsSync(join(ROOT, "services", s, "Dockerfile")));

/** The Dockerfile of every Node service, at the repository root. */
const NODE_DOCKERFILE = "Dockerfile";
const nodeDockerfileText = readFileSync(join(ROOT, NODE_DOCKERFILE), "utf8");
const nodeInstructions = parseDockerfile(nodeDockerfileText);
/** Stage of the root Dockerfile that makes the image of `service`. */
const serviceStage = (service: string) => `service-${service}`;

test("every Node service (a src/main.ts) has its stage in the root Dockerfile, and only they do", () => {
  assert.ok(nodeServices.length > 0, "no services/*/src/main.ts found: is this the ISARA repo?");
  const names = stagesOf(nodeInstructions, {}).map((s) => s.name);
  assert.deepEqual(
    nodeServices.filter((s) => !names.includes(serviceStage(s))),
    [],
    `services without a ${serviceStage("<name>")} stage in ${NODE_DOCKERFILE}`,
  );
  assert.deepEqual(
    names.filter((n) => n?.startsWith(serviceStage("")) && !nodeServices.some((s) => n === serviceStage(s))),
    [],
    "stages for services that have no src/main.ts",
  );
});

test("no Node service keeps a Dockerfile of its own (the root one builds them all)", () => {
  assert.deepEqual(
    ownDockerfile.filter((s) => nodeServices.includes(s)),
    [],
  );
});

test("the root Dockerfile needs no frontend image: no `# syntax=` line (BuildKit's own parser reads it)", () => {
  assert.doesNotMatch(nodeDockerfileText, /^#\s*syntax\s*=/im);
});

const images = [
  ...nodeServices.map((service) => ({
    service,
    dockerfile: NODE_DOCKERFILE,
    stages: stagesOf(nodeInstructions, { SERVICE: service }),
  })),
  ...ownDockerfile
    .filter((service) => !nodeServices.includes(service))
    .map((service) => {
      const dockerfile = `services/${service}/Dockerfile`;
      return {
        service,
        dockerfile,
        stages: stagesOf(parseDockerfile(readFileSync(join(ROOT, dockerfile), "utf8")), {}),
      };
    }),
];

for (const { service, dockerfile, stages } of images) {
  const final = imageChain(stages).flatMap((s) => s.instructions);
  const instructions = builtStages(stages).flatMap((s) => s.instructions);

  describe(dockerfile === NODE_DOCKERFILE ? `${dockerfile} with SERVICE=${service}` : dockerfile, () => {
    if (dockerfile === NODE_DOCKERFILE) {
      test("the image is this service's stage", () => {
        const chain = imageChain(stages).map((s) => s.name);
        assert.ok(chain.includes(serviceStage(service)), `the image is made of stages ${chain.join(", ")}`);
      });
    }

    test("the final stage runs as a numeric non-root user, with HOME on the writable /tmp", () => {
      const user = final.filter((i) => i.keyword === "USER").at(-1)?.args;
      assert.ok(user !== undefined, "the final stage sets no USER, so the image runs as root");
      // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
      assert.match(user, /^[1-9]\d*(:\d+)?$/, `USER ${user} is not a numeric non-root uid`);
      assert.equal(envOf(final).get("HOME"), "/tmp", "HOME must be /tmp: the root file system is read-only");
    });
    test("every COPY from the build context names a path that exists and is not in .dockerignore", () => {
      const copies = instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD");
      assert.ok(copies.length > 0, "no COPY at all");
      for (const { keyword, args } of copies) {
        const list = words(args);
        if (list.some((w) => w.startsWith("--from="))) continue;
        for (const source of list.filter((w) => !w.startsWith("--")).slice(0, -1)) {
          const path = source.replace(/^\.?\/+/, "").replace(/\/+$/, "") || ".";
          assert.ok(existsSync(join(ROOT, path)), `${keyword} ${source}: no such path in the repository`);
          const hidden = path !== "." && ignoredByDockerignore(path);
          assert.ok(!hidden, `${keyword} ${source}: .dockerignore excludes it`);
        }
      }
    });

    if (!nodeServices.includes(service)) return;
    const pkg = JSON.parse(readFileSync(join(ROOT, "services", service, "package.json"), "utf8")) as {
      name: string;
    };

    test("it prunes and builds this service's own package", () => {
      const runs = instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
      const pruned = runs.flatMap((r) => [...r.matchAll(/turbo(?:@[\w.]+)? prune (\S+)/g)].map((m) => m[1]));
      const built = runs.flatMap((r) => [...r.matchAll(/--filter=(\S+)/g)].map((m) => m[1]));
      assert.deepEqual(pruned, [pkg.name], "turbo prune target");
      assert.deepEqual(built, [pkg.name], "turbo build --filter");
    });

    test("CMD runs the service's compiled src/main.ts", () => {
      const cmd = final.filter((i) => i.keyword === "CMD").at(-1);
      assert.ok(cmd !== undefined, "no CMD");
      assert.ok(cmd.args.startsWith("["), "CMD must be exec form, so node is PID 1 and receives SIGTERM");
      const [node, entry, ...rest] = words(cmd.args);
      assert.equal(node, "node");
      assert.deepEqual(rest, []);
      const match = /^services\/([\w-]+)\/dist\/(.+)\.js$/.exec(entry ?? "");
      assert.ok(match, `CMD entry ${entry} is not services/<name>/dist/<file>.js`);
      assert.equal(match[1], service, "CMD starts another service");
      const source = `services/${service}/src/${match[2]}.ts`;
      assert.ok(existsSync(join(ROOT, source)), `CMD runs ${entry}, but ${source} does not exist`);
      assert.equal(envOf(final).get("NODE_ENV"), "production");
    });

    test("EXPOSE lists exactly the ports the service listens on by default", () => {
      const exposed = final
        .filter((i) => i.keyword === "EXPOSE")
        .flatMap((i) => words(i.args))
        .map((p) => Number(p.replace(/\/(tcp|udp)$/, "")))
        .sort((a, b) => a - b);
      assert.deepEqual(exposed, configPorts(service), `EXPOSE vs envPort defaults of services/${service}`);
    });
  });
}
