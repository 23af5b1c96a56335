{{/* generation: configuration, extra env and volumes (see services/generation/src/config.ts). */}}

{{- define "isara.generation.config" -}}
{{ include "isara.config.stage" . }}
{{ include "isara.config.retrievalAddress" . }}
{{ include "isara.config.llm" . }}
{{- end -}}

{{- define "isara.generation.env" -}}
{{ include "isara.env.secret" (dict "name" "LLM_API_KEY" "ref" .root.Values.llm.apiKey) }}
{{- end -}}

{{- define "isara.generation.volumes" -}}
{{- end -}}

{{- define "isara.generation.volumeMounts" -}}
{{- end -}}
