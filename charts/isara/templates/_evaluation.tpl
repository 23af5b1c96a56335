{{/* evaluation: configuration, extra env and volumes (see services/evaluation/src/config.ts and judge-env.ts). */}}

{{- define "isara.evaluation.config" -}}
{{ include "isara.config.stage" . }}
{{ include "isara.config.llm" . }}
{{- if and .values.judge.enabled .root.Values.judge.url }}
{{ include "isara.config.judge" . }}
{{- with .values.judge.rubrics }}
JUDGE_RUBRICS: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "isara.evaluation.env" -}}
{{ include "isara.env.secret" (dict "name" "LLM_API_KEY" "ref" .root.Values.llm.apiKey) }}
{{- if .values.judge.enabled }}
{{ include "isara.env.judgeApiKey" . }}
{{- end }}
{{- end -}}

{{- define "isara.evaluation.volumes" -}}
{{- end -}}

{{- define "isara.evaluation.volumeMounts" -}}
{{- end -}}
