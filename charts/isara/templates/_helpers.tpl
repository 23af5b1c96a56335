{{/*
Names and labels. Components are passed as a dict: (dict "root" $ "name" "controller"), where name is
the component's kebab-case name (its app.kubernetes.io/component label and resource-name suffix).
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "isara.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every resource name: fullnameOverride, the release name when it contains the chart name, else release-chart. */}}
{{- define "isara.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* chart-version, as the helm.sh/chart label wants it. */}}
{{- define "isara.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a component's resources: <fullname>-<component>. */}}
{{- define "isara.componentName" -}}
{{- printf "%s-%s" (include "isara.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select a component's pods; no versions, so they never change on upgrade. */}}
{{- define "isara.selectorLabels" -}}
app.kubernetes.io/name: {{ include "isara.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Every label of a component's resources. */}}
{{- define "isara.labels" -}}
{{ include "isara.selectorLabels" . }}
app.kubernetes.io/part-of: isara
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "isara.chart" .root }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* ServiceAccount name of a component. */}}
{{- define "isara.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create -}}
{{- include "isara.componentName" . -}}
{{- else -}}
default
{{- end -}}
{{- end -}}

{{/* repository:tag of an image block; the tag defaults to the chart's appVersion. Call with (dict "root" $ "image" .image). */}}
{{- define "isara.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}

{{/* Name of the shared artifact claim: artifacts.existingClaim or the one the chart creates. */}}
{{- define "isara.artifactsClaim" -}}
{{- default (printf "%s-artifacts" (include "isara.fullname" .)) .Values.artifacts.existingClaim -}}
{{- end -}}

{{/* host:port of a component's gRPC Service, as the services' *_ADDRESS variables want it. */}}
{{- define "isara.grpcAddress" -}}
{{- printf "%s:%d" (include "isara.componentName" .) 50051 -}}
{{- end -}}
