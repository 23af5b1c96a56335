{{/* controller: configuration, extra env and volumes (see services/controller/src/config.ts). */}}

{{- define "isara.controller.config" -}}
{{- $v := .root.Values -}}
KAFKA_BROKERS: {{ include "isara.kafkaBrokers" .root | quote }}
ARTIFACT_ROOT: {{ $v.artifacts.mountPath | quote }}
{{- with .values.domainsDir }}
DOMAINS_DIR: {{ . | quote }}
{{- end }}
{{ include "isara.config.retrievalAddress" . }}
BASE_MODEL: {{ $v.baseModel.name | quote }}
ADAPTER_REFERENCE: {{ .values.adapterReference | quote }}
{{- /* Whether filtering has a judge: from the same judge.url that gives filtering its JUDGE_URL, so the two agree. */}}
FILTER_JUDGE: {{ ternary "true" "false" (not (empty $v.judge.url)) | quote }}
GRPC_PORT: "50051"
HTTP_PORT: "8080"
LOG_LEVEL: {{ .values.logLevel | quote }}
WORK_WINDOW: {{ .values.workWindow | quote }}
STALL_TIMEOUT: {{ .values.stallTimeout | quote }}
TENANT_MAX_RUNNING: {{ .values.tenants.maxRunningRuns | quote }}
TENANT_MAX_QUEUED: {{ .values.tenants.maxQueuedRuns | quote }}
{{- with .values.tenants.limits }}
TENANT_LIMITS: {{ include "isara.controller.tenantLimits" $.values.tenants | quote }}
{{- end }}
KUBE_WATCH: "true"
LEADER_ELECTION_LEASE: {{ default (include "isara.componentName" .) .values.leaderElectionLease | quote }}
{{- end -}}

{{/* controller.tenants.limits as TENANT_LIMITS: "<tenant>=<running>/<queued>,...", a key left out taking the default. */}}
{{- define "isara.controller.tenantLimits" -}}
{{- $defaults := . -}}
{{- $items := list -}}
{{- range $tenant, $l := .limits -}}
{{- $running := ternary $l.maxRunningRuns $defaults.maxRunningRuns (hasKey $l "maxRunningRuns") -}}
{{- $queued := ternary $l.maxQueuedRuns $defaults.maxQueuedRuns (hasKey $l "maxQueuedRuns") -}}
{{- $items = append $items (printf "%s=%v/%v" $tenant $running $queued) -}}
{{- end -}}
{{- join "," $items -}}
{{- end -}}

{{/* The namespace it watches AlignmentRuns in, and its pod name as the leader-election identity. */}}
{{- define "isara.controller.env" -}}
{{ include "isara.env.namespace" . }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end -}}

{{- define "isara.controller.volumes" -}}
{{- end -}}

{{- define "isara.controller.volumeMounts" -}}
{{- end -}}
