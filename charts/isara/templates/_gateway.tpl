{{/* gateway: configuration, extra env and volumes (see services/gateway/src/config.ts). */}}

{{- define "isara.gateway.config" -}}
CONTROLLER_ADDRESS: {{ include "isara.grpcAddress" (dict "root" .root "name" "controller") | quote }}
ARTIFACT_ROOT: {{ .root.Values.artifacts.mountPath | quote }}
GATEWAY_TOKENS_FILE: {{ printf "/etc/isara/gateway-tokens/%s" .values.tokens.key | quote }}
HTTP_PORT: "8080"
LOG_LEVEL: {{ .values.logLevel | quote }}
{{- end -}}

{{- define "isara.gateway.env" -}}
{{- end -}}

{{/* The token table, from the existing Secret, read-only. */}}
{{- define "isara.gateway.volumes" -}}
- name: tokens
  secret:
    secretName: {{ .values.tokens.existingSecret | quote }}
    items:
      - key: {{ .values.tokens.key | quote }}
        path: {{ .values.tokens.key | quote }}
{{- end -}}

{{- define "isara.gateway.volumeMounts" -}}
- name: tokens
  mountPath: /etc/isara/gateway-tokens
  readOnly: true
{{- end -}}
