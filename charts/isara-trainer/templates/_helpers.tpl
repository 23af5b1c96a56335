{{/* Names and labels of one training run's resources. */}}

{{/* The chart name, or nameOverride. */}}
{{- define "isara-trainer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the Job: fullnameOverride or the release name (one release is one training, e.g. train-<run>-r<round>). */}}
{{- define "isara-trainer.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* chart-version, as the helm.sh/chart label wants it. */}}
{{- define "isara-trainer.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select this training's pods; no versions. The run labels let the controller find a run's Jobs. */}}
{{- define "isara-trainer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "isara-trainer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: trainer
isara.dev/run: {{ include "isara-trainer.runId" . | quote }}
isara.dev/round: {{ include "isara-trainer.round" . | quote }}
{{- end -}}

{{/* Every label of this training's resources. */}}
{{- define "isara-trainer.labels" -}}
{{ include "isara-trainer.selectorLabels" . }}
app.kubernetes.io/part-of: isara
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "isara-trainer.chart" . }}
{{- end -}}

{{/* repository:tag of the trainer image; the tag defaults to the chart's appVersion. */}}
{{- define "isara-trainer.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}

{{/* The torch device: device, or cuda with GPUs and cpu without. */}}
{{- define "isara-trainer.device" -}}
{{- if .Values.device -}}
{{- .Values.device -}}
{{- else if gt (int .Values.gpu.count) 0 -}}
cuda
{{- else -}}
cpu
{{- end -}}
{{- end -}}

{{/* resources, with the GPU limit added when gpu.count > 0. */}}
{{- define "isara-trainer.resources" -}}
{{- $r := deepCopy (default dict .Values.resources) -}}
{{- if gt (int .Values.gpu.count) 0 -}}
{{- $limits := default dict $r.limits -}}
{{- $_ := set $limits .Values.gpu.resourceName (int .Values.gpu.count) -}}
{{- $_ := set $r "limits" $limits -}}
{{- end -}}
{{- toYaml $r -}}
{{- end -}}
