{{/* Pieces of the NetworkPolicies (networkpolicy-components.yaml). */}}

{{/* An egress rule to `ports` (numbers, TCP) at `to` (NetworkPolicy peers; empty = any address). Call with a networkPolicy.<target> block. */}}
{{- define "isara.np.egress" -}}
- ports:
    {{- range .ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
  {{- with .to }}
  to: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* A peer matching the pods of one component of this release. Call with (dict "root" $ "name" <component>). */}}
{{- define "isara.np.component" -}}
- podSelector:
    matchLabels: {{- include "isara.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* The components of this release that call `name` over gRPC (their table entry has `name: true`), as peers. */}}
{{- define "isara.np.grpcCallers" -}}
{{- $target := .name -}}
{{- range $name, $c := include "isara.componentTable" .root | fromYaml }}
{{- if index $c $target }}
{{ include "isara.np.component" (dict "root" $.root "name" $name) }}
{{- end }}
{{- end }}
{{- end -}}
