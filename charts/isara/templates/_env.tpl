{{/*
Environment pieces several components share. Plain settings go to the component's ConfigMap (helpers
named isara.config.*, a YAML map of variable -> string); secrets and the downward API go to the
container's env list (helpers named isara.env.*, a YAML list of EnvVar). Helpers take a component
context (dict "root" $ "name" <name> "c" <table entry> "values" <values block>) unless said otherwise.
*/}}

{{/* What every Kafka stage service reads (@isara/kafka-kit's stageServiceEnv); KAFKA_CLIENT_ID and the timings keep their defaults. */}}
{{- define "isara.config.stage" -}}
KAFKA_BROKERS: {{ include "isara.kafkaBrokers" .root | quote }}
ARTIFACT_ROOT: {{ .root.Values.artifacts.mountPath | quote }}
HTTP_PORT: "8080"
LOG_LEVEL: {{ .values.logLevel | quote }}
{{- with .values.concurrency }}
STAGE_CONCURRENCY: {{ . | toString | quote }}
{{- end }}
{{- end -}}

{{/* The OpenAI-compatible LLM backend of @isara/llm-backends (generation, evaluation). */}}
{{- define "isara.config.llm" -}}
{{- $v := .root.Values -}}
LLM_BACKEND: openai
LLM_BASE_URL: {{ $v.llm.baseUrl | quote }}
LLM_MODEL: {{ include "isara.llmModel" .root | quote }}
LLM_MODEL_ID: {{ $v.baseModel.name | quote }}
LLM_PARALLEL: {{ $v.llm.parallel | toString | quote }}
LLM_TIMEOUT_MS: {{ $v.llm.timeoutMs | int64 | toString | quote }}
{{- end -}}

{{/* The judge endpoint of @isara/llm-backends/judge (filtering, evaluation), from the top-level judge block; nothing without judge.url. */}}
{{- define "isara.config.judge" -}}
{{- with .root.Values.judge }}
{{- if .url }}
JUDGE_URL: {{ .url | quote }}
JUDGE_MODEL: {{ .model | quote }}
JUDGE_PARALLEL: {{ .parallel | toString | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The judge server's API key (JUDGE_API_KEY) from judge.apiKey's Secret, when a judge is set. */}}
{{- define "isara.env.judgeApiKey" -}}
{{- if .root.Values.judge.url }}
{{ include "isara.env.secret" (dict "name" "JUDGE_API_KEY" "ref" .root.Values.judge.apiKey) }}
{{- end }}
{{- end -}}

{{/* The retrieval service's gRPC address, for its clients. */}}
{{- define "isara.config.retrievalAddress" -}}
RETRIEVAL_ADDRESS: {{ include "isara.grpcAddress" (dict "root" .root "name" "retrieval") | quote }}
{{- end -}}

{{/* One EnvVar from a key of an existing Secret, or nothing when no Secret is named. Call with (dict "name" VAR "ref" {existingSecret, key}). */}}
{{- define "isara.env.secret" -}}
{{- if .ref.existingSecret }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .ref.existingSecret | quote }}
      key: {{ .ref.key | quote }}
{{- end }}
{{- end -}}

{{/* KUBE_NAMESPACE from the downward API: the namespace the pod runs in. */}}
{{- define "isara.env.namespace" -}}
- name: KUBE_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- end -}}
