{{/* Names, labels and references shared by the Flightdeck templates. */}}

{{- define "flightdeck.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "flightdeck.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "flightdeck.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "flightdeck.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flightdeck.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "flightdeck.labels" -}}
helm.sh/chart: {{ include "flightdeck.chart" . }}
{{ include "flightdeck.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "flightdeck.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "flightdeck.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "flightdeck.secretName" -}}
{{- default (include "flightdeck.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "flightdeck.configMapName" -}}
{{- default (include "flightdeck.fullname" .) .Values.existingConfigMap }}
{{- end }}

{{- define "flightdeck.claimName" -}}
{{- default (printf "%s-data" (include "flightdeck.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{- define "flightdeck.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- /* Roles live in other namespaces (argocd, the apps') and ClusterRoles in the whole cluster, where two releases of the
same name in different namespaces would collide: their names carry the release's full name and its namespace. */}}
{{- define "flightdeck.rbacName" -}}
{{- printf "%s-%s" (include "flightdeck.fullname" .) .Release.Namespace | trunc 253 | trimSuffix "-" }}
{{- end }}

{{- /* "true" when the store is SQLite (one pod's file): no PostgreSQL URL from a Secret and a sqlite: databaseUrl. */}}
{{- define "flightdeck.sqlite" -}}
{{- if and (not .Values.databaseUrlFromSecret) (not .Values.postgres.existingSecret) (hasPrefix "sqlite:" .Values.databaseUrl) }}true{{ end }}
{{- end }}
