{{/* evaluation: configuration, extra env and volumes (see services/evaluation/src/config.ts and judge-env.ts). */}}

{{- define "isara.evaluation.config" -}}
{{ include "isara.config.stage" . }}
{{ include "isara.config.llm" . }}
{{- with .values.judge }}
{{- if .url }}
JUDGE_URL: {{ .url | quote }}
JUDGE_MODEL: {{ .model | quote }}
JUDGE_PARALLEL: {{ .parallel | toString | quote }}
{{- with .rubrics }}
JUDGE_RUBRICS: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "isara.evaluation.env" -}}
{{ include "isara.env.secret" (dict "name" "LLM_API_KEY" "ref" .root.Values.llm.apiKey) }}
{{- if .values.judge.url }}
{{ include "isara.env.secret" (dict "name" "JUDGE_API_KEY" "ref" .values.judge.apiKey) }}
{{- end }}
{{- end -}}

{{- define "isara.evaluation.volumes" -}}
{{- end -}}

{{- define "isara.evaluation.volumeMounts" -}}
{{- end -}}
