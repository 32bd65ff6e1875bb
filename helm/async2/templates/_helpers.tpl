{{/* Release-scoped name, at most 63 characters (DNS label). */}}
{{- define "async2.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "async2.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "producer") */}}
{{- define "async2.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "async2.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" (index .root.Values.image .component) $tag -}}
{{- end -}}

{{- define "async2.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secret" (include "async2.fullname" .)) -}}
{{- end -}}

{{- define "async2.configName" -}}
{{- printf "%s-config" (include "async2.fullname" .) -}}
{{- end -}}

{{/* Configuration shared by every container: the ConfigMap and the Secret, as environment. */}}
{{- define "async2.envFrom" -}}
- configMapRef:
    name: {{ include "async2.configName" . }}
- secretRef:
    name: {{ include "async2.secretName" . }}
{{- end -}}

{{/* Changes of configuration roll the pods. */}}
{{- define "async2.configChecksum" -}}
checksum/config: {{ include (print .Template.BasePath "/config.yaml") . | sha256sum }}
{{- end -}}

{{/* Values that would break the promises fail the render, named. */}}
{{- define "async2.validate" -}}
{{- if le (int .Values.consumer.terminationGracePeriodSeconds) (div (int .Values.consumer.shutdownFlushTimeoutMs) 1000) -}}
{{- fail (printf "consumer.terminationGracePeriodSeconds (%v) must be longer than consumer.shutdownFlushTimeoutMs (%v ms): the SIGTERM flush would be killed" .Values.consumer.terminationGracePeriodSeconds .Values.consumer.shutdownFlushTimeoutMs) -}}
{{- end -}}
{{- if hasKey .Values.consumer.env "PARTITIONS" -}}
{{- fail "consumer.env.PARTITIONS is not allowed: each consumer pod owns the partition equal to its index" -}}
{{- end -}}
{{- if and (not .Values.existingSecret) (not .Values.secret.databaseUrl) -}}
{{- fail "set existingSecret, or secret.databaseUrl" -}}
{{- end -}}
{{- end -}}

{{- define "async2.podSecurity" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A writable /tmp on a read-only root filesystem. */}}
{{- define "async2.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}
{{- define "async2.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
