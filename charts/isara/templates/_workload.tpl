{{/*
The Deployment of one component, the same shape for all: settings from its ConfigMap (envFrom) with a
checksum annotation so a changed setting rolls the pods, secrets and downward-API values in env, a
writable /tmp on a read-only root file system, the shared artifact volume where the component uses it,
and probes: gRPC services (grpc.health.v1) are ready by gRPC health, HTTP services by GET /readyz;
all are alive by GET /healthz and started by gRPC health, or by /healthz where a standby replica has
no gRPC server yet (the controller). Call with a component context.
*/}}
{{- define "isara.deployment" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- $probes := $v.probes -}}
{{- $env := include (printf "isara.%s.env" .name) . | trim -}}
{{- $volumes := include (printf "isara.%s.volumes" .name) . | trim -}}
{{- $mounts := include (printf "isara.%s.volumeMounts" .name) . | trim -}}
{{- $oneVolume := and (eq .name "retrieval") (eq $v.vectorBackend "lancedb") -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "isara.componentName" . }}
  labels: {{- include "isara.labels" . | nindent 4 }}
  {{- if $oneVolume }}
  annotations:
    # Recreate, not RollingUpdate: two pods would share one ReadWriteOnce LanceDB volume.
    kube-score/ignore: deployment-strategy
  {{- else if and .c.standby (not $v.podDisruptionBudget.enabled) }}
  annotations:
    # No budget: the standby replica is never ready, so one would block node drains (see pdb.yaml).
    kube-score/ignore: deployment-has-poddisruptionbudget
  {{- end }}
spec:
  {{- if not (include "isara.autoscaled" .) }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    {{- if $oneVolume }}
    # One pod at a time: the LanceDB volume is ReadWriteOnce and its files have one writer.
    type: Recreate
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    {{- end }}
  selector:
    matchLabels: {{- include "isara.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "isara.labels" . | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include "isara.configChecksum" . }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "isara.serviceAccountName" . }}
      # Only the components that call the Kubernetes API get a token.
      automountServiceAccountToken: {{ .c.kubeApi | default false }}
      enableServiceLinks: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets: {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext: {{- toYaml $v.podSecurityContext | nindent 8 }}
      # Shutdown stops intake, drains the work in flight and closes clients within SHUTDOWN_TIMEOUT (15 s) each.
      terminationGracePeriodSeconds: 60
      containers:
        - name: {{ .name }}
          image: {{ include "isara.image" (dict "root" $root "image" $v.image) | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            {{- if .c.grpc }}
            - name: grpc
              containerPort: 50051
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "isara.componentName" . }}
          {{- if or $env $v.env }}
          env:
            {{- with $env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $v.env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          {{- if and .c.grpc (not .c.standby) }}
          startupProbe:
            grpc:
              port: 50051
            {{- toYaml $probes.startup | nindent 12 }}
          {{- else }}
          # A standby replica has no gRPC server until it leads; its HTTP probe server is up from the start.
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            {{- toYaml $probes.startup | nindent 12 }}
          {{- end }}
          {{- if .c.grpc }}
          readinessProbe:
            grpc:
              port: 50051
            {{- toYaml $probes.readiness | nindent 12 }}
          {{- else }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            {{- toYaml $probes.readiness | nindent 12 }}
          {{- end }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            {{- toYaml $probes.liveness | nindent 12 }}
          resources: {{- toYaml $v.resources | nindent 12 }}
          securityContext: {{- toYaml $v.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if .c.artifacts }}
            - name: artifacts
              mountPath: {{ $root.Values.artifacts.mountPath | quote }}
            {{- end }}
            {{- with $mounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
        {{- if .c.artifacts }}
        - name: artifacts
          persistentVolumeClaim:
            claimName: {{ include "isara.artifactsClaim" $root | quote }}
        {{- end }}
        {{- with $volumes }}
        {{- . | nindent 8 }}
        {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector: {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations: {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (include "isara.affinity" . | trim) }}
      affinity: {{- . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/* sha256 of everything the pods read from ConfigMaps, so `helm upgrade` rolls them when a setting changes. */}}
{{- define "isara.configChecksum" -}}
{{- $config := include (printf "isara.%s.config" .name) . -}}
{{- if eq .name "training-dispatch" -}}
{{- $config = printf "%s\n%s" $config (include "isara.trainerValues" .root) -}}
{{- end -}}
{{- $config | sha256sum -}}
{{- end -}}

{{/* values.affinity, or a pod anti-affinity on the node name from podAntiAffinityPreset (soft or hard). */}}
{{- define "isara.affinity" -}}
{{- if .values.affinity -}}
{{- toYaml .values.affinity -}}
{{- else if eq .values.podAntiAffinityPreset "soft" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels: {{- include "isara.selectorLabels" . | nindent 12 }}
{{- else if eq .values.podAntiAffinityPreset "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels: {{- include "isara.selectorLabels" . | nindent 10 }}
{{- end -}}
{{- end -}}
