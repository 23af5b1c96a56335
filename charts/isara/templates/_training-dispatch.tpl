{{/* training-dispatch: configuration, extra env and volumes (see services/training-dispatch/src/config.ts). */}}

{{- define "isara.training-dispatch.config" -}}
{{- $v := .root.Values -}}
{{ include "isara.config.stage" . }}
BASE_MODEL_PATH: {{ $v.baseModel.path | quote }}
BASE_MODEL_ID: {{ $v.baseModel.name | quote }}
TRAINER_BACKEND: kubernetes
TRAINER_CHART: {{ .values.trainerChart | quote }}
TRAINER_VALUES_FILE: /etc/isara/trainer-values.yaml
LORA_SERVING_URLS: {{ join "," $v.llm.loraAdminUrls | quote }}
{{- end -}}

{{- define "isara.training-dispatch.env" -}}
{{ include "isara.env.namespace" . }}
{{- end -}}

{{/* The trainer values rendered by trainer-values-configmap.yaml. */}}
{{- define "isara.training-dispatch.volumes" -}}
- name: trainer-values
  configMap:
    name: {{ printf "%s-trainer-values" (include "isara.fullname" .root) | quote }}
{{- end -}}

{{- define "isara.training-dispatch.volumeMounts" -}}
- name: trainer-values
  mountPath: /etc/isara
  readOnly: true
{{- end -}}
