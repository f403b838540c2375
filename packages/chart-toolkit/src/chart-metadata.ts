import { artifactHubAnnotations, REPOSITORY_URL } from './artifact-hub';
import type { ChartDefinition } from './chart-definition';
import { HELM_VERSIONS_ANNOTATION, SUPPORTED_HELM_VERSIONS } from './helm-versions';
import { helmYaml } from './helm-yaml';

/** The `Chart.yaml` annotation naming the Pod Security level a default install needs, where it is not `restricted`. */
export const POD_SECURITY_ANNOTATION = 'meetscale.io/pod-security';

/**
 * `Chart.yaml` of a chart definition, with the supported Helm versions and the static Artifact Hub annotations
 * (license, links, and the images of `defaults`, the chart's default values).
 */
export function chartYaml(definition: ChartDefinition, header: string, defaults: unknown): string {
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
      ...(definition.defaultPodSecurity === undefined ? {} : { [POD_SECURITY_ANNOTATION]: definition.defaultPodSecurity.level }),
      ...artifactHubAnnotations(definition, defaults),
    },
  };
  return `# ${header}\n${helmYaml(chart)}`;
}

/** Optional helpers of `_helpers.tpl`, defined only in charts that use them. */
export type OptionalHelper = 'mergeByName' | 'generatedSecretValue' | 'generatedSecretValue:fullname' | 'serviceAccountName' | 'image';

/**
 * `_helpers.tpl`: name, fullname and chart as `helm create` scaffolds them, the component name and the labels
 * every object carries, and the optional helpers the chart uses.
 */
export function helpersTemplate(chartName: string, header: string, used: ReadonlySet<OptionalHelper> = new Set()): string {
  const define = (name: string, comment: string, body: readonly string[]): string =>
    `{{/*\n${comment}\n*/}}\n{{- define "${chartName}.${name}" -}}\n${body.join('\n')}\n{{- end }}\n`;
  const helpers = [
    define('name', 'The chart name, or nameOverride.', ['{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}']),
    define('fullname', 'The release name with the chart name (`<release>-<chart>`), or fullnameOverride; at most 63 characters.', [
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
    ]),
    define('chart', 'Chart name and version, for the helm.sh/chart label.', [
      '{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}',
    ]),
    define(
      'componentName',
      'The name of one component of the release: `<fullname>-<component>`, at most 63 characters.\nCall with (dict "component" "<component>" "context" $).',
      ['{{- printf "%s-%s" (include "' + chartName + '.fullname" .context) .component | trunc 63 | trimSuffix "-" }}'],
    ),
    define(
      'selectorLabels',
      'Labels that select the pods of one component; stable across upgrades. Entries of .extra (podLabels) follow\nand cannot replace them. Call with (dict "component" "<component>" ["extra" <map>] "context" $).',
      [
        '{{- $labels := dict "app.kubernetes.io/name" (include "' + chartName + '.name" .context) }}',
        '{{- $_ := set $labels "app.kubernetes.io/instance" .context.Release.Name }}',
        '{{- $_ = set $labels "app.kubernetes.io/component" .component }}',
        '{{- toYaml (merge $labels (.extra | default dict)) }}',
      ],
    ),
    define(
      'labels',
      'Labels of every object of one component: the selector labels, chart, version and owner, then the entries\nof .extra and of commonLabels, which cannot replace them.\nCall with (dict "component" "<component>" ["extra" <map>] "context" $).',
      [
        '{{- $labels := include "' + chartName + '.selectorLabels" (dict "component" .component "context" .context) | fromYaml }}',
        '{{- $_ := set $labels "helm.sh/chart" (include "' + chartName + '.chart" .context) }}',
        '{{- $_ = set $labels "app.kubernetes.io/version" .context.Chart.AppVersion }}',
        '{{- $_ = set $labels "app.kubernetes.io/part-of" "meetscale" }}',
        '{{- $_ = set $labels "app.kubernetes.io/managed-by" .context.Release.Service }}',
        '{{- toYaml (merge $labels (.extra | default dict) (.context.Values.commonLabels | default dict)) }}',
      ],
    ),
  ];
  if (used.has('mergeByName')) {
    helpers.push(
      define(
        'mergeByName',
        "A list of named entries (YAML text in .list) followed by the entries of .overrides; an override replaces\nthe entry of the same name instead of adding a second one (env: extraEnv over the chart's own entries).",
        [
          '{{- $overrides := .overrides | default list }}',
          '{{- $names := list }}',
          '{{- range $overrides }}{{ $names = append $names .name }}{{ end }}',
          '{{- $merged := list }}',
          '{{- range fromYamlArray .list }}',
          '{{- if not (has .name $names) }}{{ $merged = append $merged . }}{{ end }}',
          '{{- end }}',
          '{{- toYaml (concat $merged $overrides) }}',
        ],
      ),
    );
  }
  if (used.has('generatedSecretValue') || used.has('generatedSecretValue:fullname')) {
    // a chart whose generated Secret is named `<fullname>` looks that name up (the variant only where it is used)
    const fullname = used.has('generatedSecretValue:fullname');
    helpers.push(
      define(
        'generatedSecretValue',
        fullname
          ? 'One key of the generated Secret of a component, base64: the value of an earlier install (lookup), so it\nnever changes on upgrade, or 40 random characters on first install and in `helm template`. The Secret is\n`<fullname>-<component>`, or `<fullname>` with "fullname" true (and no component).\nCall with (dict "component" "<component>" "key" "<key>" "context" $) or (dict "key" "<key>" "fullname" true "context" $).'
          : 'One key of the generated Secret of a component, base64: the value of an earlier install (lookup), so it\nnever changes on upgrade, or 40 random characters on first install and in `helm template`.\nCall with (dict "component" "<component>" "key" "<key>" "context" $).',
        [
          ...(fullname
            ? [
                '{{- $name := include "' + chartName + '.fullname" .context }}',
                '{{- if not .fullname }}{{ $name = include "' +
                  chartName +
                  '.componentName" (dict "component" .component "context" .context) }}{{ end }}',
              ]
            : ['{{- $name := include "' + chartName + '.componentName" (dict "component" .component "context" .context) }}']),
          '{{- $stored := lookup "v1" "Secret" .context.Release.Namespace $name | default dict }}',
          '{{- index ($stored.data | default dict) .key | default (randAlphaNum 40 | b64enc) }}',
        ],
      ),
    );
  }
  if (used.has('serviceAccountName')) {
    helpers.push(
      define(
        'serviceAccountName',
        'The ServiceAccount of a component\'s pods: .values.serviceAccount.name, or when the chart creates it\n`<fullname>-<component>` (`<fullname>` with "fullname" true); otherwise the namespace\'s `default`.\nCall with (dict "component" "<component>" "values" <the component\'s values> ["fullname" true] "context" $).',
        [
          '{{- $serviceAccount := .values.serviceAccount }}',
          '{{- if $serviceAccount.create }}',
          '{{- $own := ternary (include "' +
            chartName +
            '.fullname" .context) (include "' +
            chartName +
            '.componentName" .) (.fullname | default false) }}',
          '{{- $serviceAccount.name | default $own }}',
          '{{- else }}',
          '{{- $serviceAccount.name | default "default" }}',
          '{{- end }}',
        ],
      ),
    );
  }
  if (used.has('image')) {
    helpers.push(
      define(
        'image',
        'The reference of an image (.image: its repository and tag), `<repository>:<tag>`. With global.imageRegistry\nthe image comes from that registry instead (a mirror): a repository that names its own registry\n(`registry.k8s.io/kubectl`) keeps its path there (`<imageRegistry>/kubectl`), any other (a Docker Hub name such\nas `jitsi/web`) its whole name (`<imageRegistry>/jitsi/web`).\nCall with (dict "image" <image values> "context" $).',
        [
          '{{- $repository := .image.repository }}',
          '{{- with .context.Values.global.imageRegistry }}',
          '{{- $parts := splitList "/" $repository }}',
          '{{- if and (gt (len $parts) 1) (regexMatch "[.:]|^localhost$" (first $parts)) }}',
          '{{- $repository = rest $parts | join "/" }}',
          '{{- end }}',
          '{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository }}',
          '{{- end }}',
          '{{- printf "%s:%s" $repository .image.tag }}',
        ],
      ),
    );
  }
  return [`{{- /* ${header} */ -}}\n`, ...helpers].join('\n');
}

/** `.helmignore`: keeps CI scenarios and editor files out of the packaged chart. */
export const HELMIGNORE = `# Patterns to ignore when building the chart package.
# CI scenarios and the TypeScript values type are for this repository, not for installs.
ci/
values.d.ts
.DS_Store
.git/
*.swp
*.bak
*.tmp
*.orig
*~
`;
