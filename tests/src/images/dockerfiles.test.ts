/**
 * Static checks of the container images (services/<name>/Dockerfile). No container engine runs where
 * the tests run, so the images are never built here; these checks catch what would otherwise show up
 * only at `docker build` or in the cluster: a service without an image, a COPY of a path that moved or
 * that .dockerignore hides, an image that runs as root (refused by the chart's runAsNonRoot), a CMD
 * that names a file the build does not produce, ports that disagree with the service's config.
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

/** The instructions after the last FROM: what the shipped image is made of. */
function finalStage(instructions: readonly Instruction[]): Instruction[] {
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf("FROM");
  return instructions.slice(lastFrom + 1);
}

/** Words of an instruction's arguments, exec form (a JSON array) or shell form (split on spaces). */
function words(args: string): string[] {
  return args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter((w) => w !== "");
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
const imaged = services.filter((s) => existsSync(join(ROOT, "services", s, "Dockerfile")));

test("every Node service (a src/main.ts) has a Dockerfile", () => {
  assert.ok(nodeServices.length > 0, "no services/*/src/main.ts found: is this the ISARA repo?");
  assert.deepEqual(
    nodeServices.filter((s) => !imaged.includes(s)),
    [],
    "services without services/<name>/Dockerfile",
  );
});

for (const service of imaged) {
  const dockerfile = `services/${service}/Dockerfile`;
  const instructions = parseDockerfile(readFileSync(join(ROOT, dockerfile), "utf8"));
  const final = finalStage(instructions);

  describe(dockerfile, () => {
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
