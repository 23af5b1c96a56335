{{/* filtering: configuration, extra env and volumes (see services/filtering/src/config.ts). */}}

{{- define "isara.filtering.config" -}}
{{ include "isara.config.stage" . }}
{{ include "isara.config.retrievalAddress" . }}
{{ include "isara.config.judge" . }}
{{- end -}}

{{/* The judge's API key, when the release has a judge (judge-score filter). */}}
{{- define "isara.filtering.env" -}}
{{ include "isara.env.judgeApiKey" . }}
{{- end -}}

{{- define "isara.filtering.volumes" -}}
{{- end -}}

{{- define "isara.filtering.volumeMounts" -}}
{{- end -}}
