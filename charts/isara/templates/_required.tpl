{{/*
Required values and their checks. Each `fail` names the value, says what it expects and gives an
example, so `helm install` stops with a message a person can act on instead of pods that crash at
start. "isara.validate" is included once, by configmaps.yaml.
*/}}

{{/* Kafka bootstrap servers: kafka.brokers (string or list), or the dev broker. Fails when missing or malformed. */}}
{{- define "isara.kafkaBrokers" -}}
{{- $brokers := .Values.kafka.brokers -}}
{{- if kindIs "slice" $brokers -}}{{- $brokers = join "," $brokers -}}{{- end -}}
{{- if and (not $brokers) .Values.dev.kafka.enabled -}}
{{- $brokers = printf "%s-dev-kafka:9092" (include "isara.fullname" .) -}}
{{- end -}}
{{- if not $brokers -}}
{{- fail "kafka.brokers is required: set it to your Kafka cluster's bootstrap servers as host:port[,host:port] (with Strimzi, the <cluster>-kafka-bootstrap Service, e.g. --set kafka.brokers=isara-kafka-bootstrap.kafka:9092), or set dev.kafka.enabled=true for a throwaway in-chart broker (development only)" -}}
{{- end -}}
{{- range splitList "," $brokers -}}
{{- if not (regexMatch "^[^\\s:/]+:[0-9]{1,5}$" (trim .)) -}}
{{- fail (printf "kafka.brokers has %q, which is not host:port (expected e.g. \"isara-kafka-bootstrap.kafka:9092\")" (trim .)) -}}
{{- end -}}
{{- end -}}
{{- $brokers | nospace -}}
{{- end -}}

{{/* Qdrant REST URL: qdrant.url, or the dev server. Fails when missing. */}}
{{- define "isara.qdrantUrl" -}}
{{- $url := .Values.qdrant.url -}}
{{- if and (not $url) .Values.dev.qdrant.enabled -}}
{{- $url = printf "http://%s-dev-qdrant:6333" (include "isara.fullname" .) -}}
{{- end -}}
{{- if not $url -}}
{{- fail "qdrant.url is required while retrieval.vectorBackend is qdrant: set it to Qdrant's REST URL (e.g. --set qdrant.url=http://qdrant.qdrant:6333, a server from the official Qdrant chart), set retrieval.vectorBackend=lancedb for one replica on a local volume, or set dev.qdrant.enabled=true (development only)" -}}
{{- end -}}
{{- if not (regexMatch "^https?://" $url) -}}
{{- fail (printf "qdrant.url is %q, which is not an http(s) URL (expected e.g. \"http://qdrant.qdrant:6333\")" $url) -}}
{{- end -}}
{{- $url -}}
{{- end -}}

{{/* The served base-model name generation and evaluation ask the LLM server for. */}}
{{- define "isara.llmModel" -}}
{{- default .Values.baseModel.name .Values.llm.model -}}
{{- end -}}

{{/* Checks every required value of the enabled components. Renders nothing. */}}
{{- define "isara.validate" -}}
{{- $v := .Values -}}
{{- $on := include "isara.enabledComponents" . | fromYaml -}}
{{- $kafkaUsers := list -}}
{{- range $name, $c := $on }}{{ if $c.kafka }}{{ $kafkaUsers = append $kafkaUsers $name }}{{ end }}{{ end -}}
{{- if $kafkaUsers -}}{{- $_ := include "isara.kafkaBrokers" . -}}{{- end -}}
{{- if and (or $v.controller.enabled $v.generation.enabled $v.evaluation.enabled $v.trainingDispatch.enabled) (not $v.baseModel.name) -}}
{{- fail "baseModel.name is required: the base model's name as the LLM server serves it and runs name it (vLLM's --served-model-name), e.g. --set baseModel.name=SmolLM2-135M-Instruct" -}}
{{- end -}}
{{- if and (or $v.generation.enabled $v.evaluation.enabled) (not $v.llm.baseUrl) -}}
{{- fail "llm.baseUrl is required while generation or evaluation is enabled: the root URL of an OpenAI-compatible server such as vLLM started with --enable-lora (e.g. --set llm.baseUrl=http://vllm.llm:8000)" -}}
{{- end -}}
{{- if and $v.llm.baseUrl (not (regexMatch "^https?://" $v.llm.baseUrl)) -}}
{{- fail (printf "llm.baseUrl is %q, which is not an http(s) URL (expected e.g. \"http://vllm.llm:8000\")" $v.llm.baseUrl) -}}
{{- end -}}
{{- if and $v.trainingDispatch.enabled (not $v.baseModel.path) -}}
{{- fail "baseModel.path is required while trainingDispatch is enabled: the path of the base model's weights inside trainer pods (a Hugging Face folder or GGUF file), e.g. --set baseModel.path=/models/SmolLM2-135M-Instruct with trainer.model.claimName holding them" -}}
{{- end -}}
{{- if and $v.gateway.enabled (not $v.gateway.tokens.existingSecret) -}}
{{- fail "gateway.tokens.existingSecret is required: the name of a Secret whose key gateway.tokens.key (default tokens.json) holds the token table {\"<sha256 hex of token>\": \"<tenant>\"}, e.g. kubectl create secret generic isara-gateway-tokens --from-file=tokens.json" -}}
{{- end -}}
{{- if $v.retrieval.enabled -}}
{{- if eq $v.retrieval.vectorBackend "qdrant" -}}
{{- $_ := include "isara.qdrantUrl" . -}}
{{- else if eq $v.retrieval.vectorBackend "lancedb" -}}
{{- if or (gt (int $v.retrieval.replicas) 1) $v.retrieval.autoscaling.enabled -}}
{{- fail "retrieval.vectorBackend=lancedb keeps vectors on one local volume, so retrieval must run one replica: set retrieval.replicas=1 and retrieval.autoscaling.enabled=false, or use vectorBackend=qdrant to scale" -}}
{{- end -}}
{{- else -}}
{{- fail (printf "retrieval.vectorBackend is %q (expected qdrant or lancedb)" $v.retrieval.vectorBackend) -}}
{{- end -}}
{{- end -}}
{{- range $key := list "url" "model" "parallel" "apiKey" -}}
{{- if hasKey $v.evaluation.judge $key -}}
{{- fail (printf "evaluation.judge.%s moved to judge.%s: one judge serves filtering (the judge-score filter) and evaluation; set evaluation.judge.enabled=false to keep evaluation on reference metrics" $key $key) -}}
{{- end -}}
{{- end -}}
{{- if ne (empty $v.judge.url) (empty $v.judge.model) -}}
{{- fail "judge.url and judge.model go together: set both for a judge, or neither for none" -}}
{{- end -}}
{{- if not (has $v.controller.adapterReference (list "adapter" "gguf")) -}}
{{- fail (printf "controller.adapterReference is %q (expected adapter, for vLLM, or gguf, for llama.cpp workers)" $v.controller.adapterReference) -}}
{{- end -}}
{{- end -}}
