{{/*
The components and what each one talks to, as data: the Deployment, Service, ServiceAccount,
ConfigMap, NetworkPolicy, PDB and HPA templates all range over this table, so a component's
connections are stated once. Keys: values (its block in values.yaml), grpc (serves gRPC on 50051
with grpc.health.v1), standby (replicas past the first wait for a Lease, unready, with only
their HTTP probe server up), and the calls it makes: artifacts (shared volume), kafka, llm (LLM, judge or
LoRA-admin servers), judge (the judge server only, when judge.url is set), qdrant, kubeApi, controller
(gRPC), retrieval (gRPC).
*/}}
{{- define "isara.componentTable" -}}
controller: {values: controller, grpc: true, standby: true, artifacts: true, kafka: true, kubeApi: true, retrieval: true}
gateway: {values: gateway, artifacts: true, controller: true}
retrieval: {values: retrieval, grpc: true, qdrant: true}
generation: {values: generation, artifacts: true, kafka: true, llm: true, retrieval: true}
filtering: {values: filtering, artifacts: true, kafka: true, judge: true, retrieval: true}
training-dispatch: {values: trainingDispatch, artifacts: true, kafka: true, llm: true, kubeApi: true}
evaluation: {values: evaluation, artifacts: true, kafka: true, llm: true}
{{- end -}}

{{/*
The enabled components as a YAML map name -> table entry, each entry with "name" added. Use:
range $name, $c := include "isara.enabledComponents" . | fromYaml
*/}}
{{- define "isara.enabledComponents" -}}
{{- $out := dict -}}
{{- range $name, $c := include "isara.componentTable" . | fromYaml -}}
{{- if (index $.Values $c.values).enabled -}}
{{- $_ := set $out $name (merge (dict "name" $name) $c) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
Helpers below take a component context: (dict "root" $ "name" <name> "c" <table entry> "values" <its values block>).
*/}}

{{/* "true" when something other than .replicas sets a component's replica count (its HPA or KEDA). */}}
{{- define "isara.autoscaled" -}}
{{- if or .values.autoscaling.enabled (dig "keda" "enabled" false .values.autoscaling) -}}true{{- end -}}
{{- end -}}

{{/* The least replicas a component runs with. */}}
{{- define "isara.minReplicas" -}}
{{- if include "isara.autoscaled" . -}}{{ .values.autoscaling.minReplicas }}{{- else -}}{{ .values.replicas }}{{- end -}}
{{- end -}}
