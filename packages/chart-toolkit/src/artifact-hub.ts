/**
 * The static Artifact Hub annotations of a chart's `Chart.yaml` (https://artifacthub.io/docs/topics/annotations/helm/).
 * Their values are strings holding YAML. `artifacthub.io/changes` is not here: a commit cannot list itself, so the
 * release tool adds it when it packages a released commit.
 */
import type { ChartDefinition } from './chart-definition';
import { helmYaml } from './helm-yaml';

/** The repository every chart is developed in. */
export const REPOSITORY_URL = 'https://github.com/meetscale/meetscale';

/** The SPDX license of every chart. */
export const CHART_LICENSE = 'Apache-2.0';

/** A container image a chart deploys by default, as `artifacthub.io/images` lists it. */
export interface ArtifactHubImage {
  /** Path of the image's parent in the values (`jvb`, `web`), or the chart name for a top-level `image`. */
  readonly name: string;
  /** The reference the pod pulls: `[registry/]repository:tag[@digest]`. */
  readonly image: string;
}

/** A link Artifact Hub shows beside the chart, as `artifacthub.io/links` lists it. */
export interface ArtifactHubLink {
  readonly name: string;
  readonly url: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The reference of an `image` value, or undefined when it lacks a string `repository` or `tag`. */
function imageReference(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.repository !== 'string' || typeof value.tag !== 'string') return undefined;
  const registry = typeof value.registry === 'string' && value.registry !== '' ? `${value.registry}/` : '';
  const digest = typeof value.digest === 'string' && value.digest !== '' ? `@${value.digest}` : '';
  return `${registry}${value.repository}:${value.tag}${digest}`;
}

/**
 * The images of a chart's default values: every object under a key named `image` that holds a string
 * `repository` and `tag` (and optionally `registry` and `digest`), in the order of the values.
 */
export function artifactHubImages(defaults: unknown, chartName: string): ArtifactHubImage[] {
  const images: ArtifactHubImage[] = [];
  const visit = (value: unknown, path: readonly string[]): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path.slice(0, -1), `${path.at(-1) ?? ''}[${index}]`]));
      return;
    }
    if (!isRecord(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const reference = key === 'image' ? imageReference(child) : undefined;
      if (reference !== undefined) images.push({ name: path.length === 0 ? chartName : path.join('.'), image: reference });
      else visit(child, [...path, key]);
    }
  };
  visit(defaults, []);
  return images;
}

/** The links of a chart: its package folder in the repository, and its home page. */
export function artifactHubLinks(definition: Pick<ChartDefinition, 'source' | 'home'>): ArtifactHubLink[] {
  return [
    { name: 'source', url: `${REPOSITORY_URL}/tree/main/${definition.source}` },
    { name: 'home', url: definition.home ?? REPOSITORY_URL },
  ];
}

/**
 * The static `artifacthub.io/*` annotations of a chart, given its default values. List values are YAML text
 * ending in a newline, so `Chart.yaml` shows them as `|` block scalars.
 */
export function artifactHubAnnotations(
  definition: Pick<ChartDefinition, 'name' | 'source' | 'home'>,
  defaults: unknown,
): Record<string, string> {
  const images = artifactHubImages(defaults, definition.name);
  return {
    'artifacthub.io/license': CHART_LICENSE,
    'artifacthub.io/links': helmYaml(artifactHubLinks(definition)),
    ...(images.length > 0 ? { 'artifacthub.io/images': helmYaml(images) } : {}),
  };
}
