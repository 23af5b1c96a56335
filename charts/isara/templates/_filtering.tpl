{{/* filtering: configuration, extra env and volumes (see services/filtering/src/config.ts). */}}

{{- define "isara.filtering.config" -}}
{{ include "isara.config.stage" . }}
{{ include "isara.config.retrievalAddress" . }}
{{- end -}}

{{- define "isara.filtering.env" -}}
{{- end -}}

{{- define "isara.filtering.volumes" -}}
{{- end -}}

{{- define "isara.filtering.volumeMounts" -}}
{{- end -}}
