{{/*
Required values, checked when rendering: a training with no run, round, spec or artifact volume
cannot report where its adapter went, so the chart refuses it with a message naming the value.
*/}}

{{/* run.id, checked: required and a valid label value. */}}
{{- define "isara-trainer.runId" -}}
{{- $id := .Values.run.id | toString -}}
{{- if not .Values.run.id -}}
{{- fail "run.id is required: the id of the AlignmentRun this training belongs to (training-dispatch sets it, e.g. --set run.id=my-run)" -}}
{{- end -}}
{{- if not (regexMatch "^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$" $id) -}}
{{- fail (printf "run.id is %q, which is not a Kubernetes label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)" $id) -}}
{{- end -}}
{{- $id -}}
{{- end -}}

{{/* run.round, checked: required, a whole number >= 0. */}}
{{- define "isara-trainer.round" -}}
{{- $round := .Values.run.round -}}
{{- if or (kindIs "invalid" $round) (eq (toString $round) "") -}}
{{- fail "run.round is required: the round this training produces the model of, a whole number (training-dispatch sets it, e.g. --set run.round=1)" -}}
{{- end -}}
{{- if not (regexMatch "^[0-9]+$" (toString $round)) -}}
{{- fail (printf "run.round is %q, which is not a whole number >= 0" (toString $round)) -}}
{{- end -}}
{{- toString $round -}}
{{- end -}}

{{/* Checks spec and the volumes. Renders nothing. */}}
{{- define "isara-trainer.validate" -}}
{{- $spec := .Values.spec -}}
{{- if not $spec -}}
{{- fail "spec is required: the TrainSpec of this training as an object (baseModel, datasetPath, outputDir, method, learningRate, ...), e.g. --set-json spec='{...}'; it is mounted as /etc/isara-trainer/spec.json" -}}
{{- end -}}
{{- if not .Values.artifacts.claimName -}}
{{- fail "artifacts.claimName is required: the PersistentVolumeClaim of the shared artifact volume, where the dataset is read and the adapter written (the isara chart's trainer values set it)" -}}
{{- end -}}
{{- $root := trimSuffix "/" .Values.artifacts.mountPath -}}
{{- range $key := list "datasetPath" "outputDir" -}}
{{- $path := index $spec $key | default "" | toString -}}
{{- if not (hasPrefix (printf "%s/" $root) $path) -}}
{{- fail (printf "spec.%s is %q, which is not under artifacts.mountPath (%s): the trainer reads and writes only the shared artifact volume" $key $path $root) -}}
{{- end -}}
{{- end -}}
{{- end -}}
