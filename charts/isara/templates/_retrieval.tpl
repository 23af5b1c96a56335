{{/* retrieval: configuration, extra env and volumes (see services/retrieval/src/config.ts). */}}

{{- define "isara.retrieval.config" -}}
GRPC_PORT: "50051"
HTTP_PORT: "8080"
VECTOR_BACKEND: {{ .values.vectorBackend | quote }}
{{- if eq .values.vectorBackend "qdrant" }}
QDRANT_URL: {{ include "isara.qdrantUrl" .root | quote }}
{{- with .root.Values.qdrant.collection }}
QDRANT_COLLECTION: {{ . | quote }}
{{- end }}
{{- else }}
LANCEDB_DIR: {{ .values.lancedb.mountPath | quote }}
{{- end }}
{{- with .values.embedder.dir }}
EMBEDDER_DIR: {{ . | quote }}
{{- end }}
{{- with .values.embedder.threads }}
EMBEDDER_THREADS: {{ . | toString | quote }}
{{- end }}
LOG_LEVEL: {{ .values.logLevel | quote }}
{{- end -}}

{{- define "isara.retrieval.env" -}}
{{- if eq .values.vectorBackend "qdrant" -}}
{{ include "isara.env.secret" (dict "name" "QDRANT_API_KEY" "ref" .root.Values.qdrant.apiKey) }}
{{- end -}}
{{- end -}}

{{/* The LanceDB claim name: retrieval.lancedb.existingClaim or the one the chart creates. Call with the root context. */}}
{{- define "isara.lancedbClaim" -}}
{{- default (printf "%s-retrieval-lancedb" (include "isara.fullname" .)) .Values.retrieval.lancedb.existingClaim -}}
{{- end -}}

{{- define "isara.retrieval.volumes" -}}
{{- if eq .values.vectorBackend "lancedb" -}}
- name: lancedb
  persistentVolumeClaim:
    claimName: {{ include "isara.lancedbClaim" .root | quote }}
{{- end -}}
{{- end -}}

{{- define "isara.retrieval.volumeMounts" -}}
{{- if eq .values.vectorBackend "lancedb" -}}
- name: lancedb
  mountPath: {{ .values.lancedb.mountPath | quote }}
{{- end -}}
{{- end -}}
