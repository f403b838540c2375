import { artifactHubAnnotations, REPOSITORY_URL } from './artifact-hub';
import type { ChartDefinition } from './chart-definition';
import { HELM_VERSIONS_ANNOTATION, SUPPORTED_HELM_VERSIONS } from './helm-versions';
import { helmYaml } from './helm-yaml';

/**
 * `Chart.yaml` of a chart definition, with the supported Helm versions and the static Artifact Hub annotations
 * (license, links, and the images of the default values).
 */
export function chartYaml(definition: ChartDefinition, header: string): string {
  const chart = {
    apiVersion: 'v2',
    name: definition.name,
    description: definition.description,
    type: 'application',
    version: definition.version,
    appVersion: definition.appVersion,
    kubeVersion: definition.kubeVersion ?? '>=1.27.0-0',
    keywords: definition.keywords,
    home: definition.home ?? REPOSITORY_URL,
    sources: definition.sources ?? [REPOSITORY_URL],
    maintainers: definition.maintainers ?? [{ name: 'meetscale', url: REPOSITORY_URL }],
    annotations: {
      [HELM_VERSIONS_ANNOTATION]: SUPPORTED_HELM_VERSIONS,
      ...artifactHubAnnotations(definition, definition.values.parse({})),
    },
  };
  return `# ${header}\n${helmYaml(chart)}`;
}

/** `_helpers.tpl`: name, fullname and chart label templates, as `helm create` scaffolds them. */
export function helpersTemplate(chartName: string, header: string): string {
  const define = (name: string, body: string): string => `{{- define "${chartName}.${name}" -}}\n${body}\n{{- end }}\n`;
  return [
    `{{- /* ${header} */ -}}\n`,
    define('name', '{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}'),
    define(
      'fullname',
      [
        '{{- if .Values.fullnameOverride }}',
        '{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}',
        '{{- else }}',
        '{{- $name := default .Chart.Name .Values.nameOverride }}',
        '{{- if contains $name .Release.Name }}',
        '{{- .Release.Name | trunc 63 | trimSuffix "-" }}',
        '{{- else }}',
        '{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}',
        '{{- end }}',
        '{{- end }}',
      ].join('\n'),
    ),
    define('chart', '{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}'),
  ].join('\n');
}

/** `.helmignore`: keeps CI scenarios and editor files out of the packaged chart. */
export const HELMIGNORE = `# Patterns to ignore when building the chart package.
.DS_Store
.git/
*.swp
*.bak
*.tmp
*.orig
*~
`;
