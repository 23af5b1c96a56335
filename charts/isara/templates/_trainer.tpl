{{/*
The values file of the isara-trainer chart that training-dispatch renders every training with (its
TRAINER_VALUES_FILE). training-dispatch adds run.id, run.round and spec per training; everything a
cluster operator decides (image, GPUs, placement, Kueue, limits, volumes) comes from trainer.* here.
Trainer pods get the labels the trainer NetworkPolicy selects, and the ServiceAccount without API access.
*/}}
{{- define "isara.trainerValues" -}}
{{- $t := .Values.trainer -}}
image:
  repository: {{ $t.image.repository | quote }}
  tag: {{ default .Chart.AppVersion $t.image.tag | toString | quote }}
  pullPolicy: {{ $t.image.pullPolicy | quote }}
gpu:
  count: {{ $t.gpu.count | int }}
  resourceName: {{ $t.gpu.resourceName | quote }}
device: {{ $t.device | quote }}
{{- if $t.threads }}
threads: {{ $t.threads | int }}
{{- end }}
resources: {{- toYaml $t.resources | nindent 2 }}
nodeSelector: {{- toYaml $t.nodeSelector | nindent 2 }}
tolerations: {{- toYaml $t.tolerations | nindent 2 }}
affinity: {{- toYaml $t.affinity | nindent 2 }}
priorityClassName: {{ $t.priorityClassName | quote }}
kueue:
  {{- if and .Values.kueue.enabled (not $t.kueue.queueName) }}
  queueName: {{ printf "%s-{tenant}" (include "isara.fullname" .) | quote }}
  {{- else }}
  queueName: {{ $t.kueue.queueName | quote }}
  {{- end }}
backoffLimit: {{ $t.backoffLimit | int }}
activeDeadlineSeconds: {{ $t.activeDeadlineSeconds | int64 }}
ttlSecondsAfterFinished: {{ $t.ttlSecondsAfterFinished | int64 }}
serviceAccountName: {{ include "isara.trainerServiceAccountName" . | quote }}
imagePullSecrets: {{- toYaml .Values.imagePullSecrets | nindent 2 }}
artifacts:
  claimName: {{ include "isara.artifactsClaim" . | quote }}
  mountPath: {{ .Values.artifacts.mountPath | quote }}
model:
  claimName: {{ $t.model.claimName | quote }}
  mountPath: {{ $t.model.mountPath | quote }}
  readOnly: true
env: {{- toYaml $t.env | nindent 2 }}
podLabels:
  {{- with $t.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  isara.dev/platform: {{ include "isara.fullname" . | quote }}
podAnnotations: {{- toYaml $t.podAnnotations | nindent 2 }}
{{- end -}}

{{/* ServiceAccount of trainer pods. Call with the root context. */}}
{{- define "isara.trainerServiceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- printf "%s-trainer" (include "isara.fullname" .) -}}
{{- else -}}
default
{{- end -}}
{{- end -}}
