import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { WORKSPACE_ROOT } from '@meetscale/go-tools';
import { parseAllDocuments } from 'yaml';

import { pinnedModuleVersion } from './control-plane-tools';
import { type KubeClient, waitFor } from './kube-client';

/** The module whose go.mod/go.sum pin the upstream projects the CRDs come from. */
export const CRD_MODULE = 'tools/cluster/modules/crds';

/** Where in an upstream module's tree its CRD manifests are. */
export interface UpstreamCrdSource {
  /** The Go module path. */
  readonly module: string;
  /** The folder inside the module that holds the manifests. */
  readonly folder: string;
  /** Which files of that folder are CRD manifests. */
  readonly files: RegExp;
}

/**
 * The CRDs the test control plane installs: those the charts' custom resources are validated against. Each
 * folder holds plain manifests, never Helm templates ({@link crdsOfManifest} refuses template text): cert-manager's
 * `deploy/crds/` are its chart's CRD templates without their template lines (same `spec`), and Envoy Gateway's
 * chart keeps two copies of its CRDs, of which the one in the `crds/` folder of its `crds` subchart is plain (Helm
 * never templates a `crds/` folder) while `charts/gateway-crds-helm/templates/generated/` wraps each in
 * `{{- if ... }}`. ECK's `config/crds/v1/all-crds.yaml` holds every ECK CRD (Elasticsearch, Kibana, Beat, Agent,
 * ...) as released, i.e. kustomize-patched (podTemplate schemas pruned, an unserved v1alpha1 added; the unpatched
 * ones are in `config/crds/v1/resources/`): the CRDs its eck-operator-crds chart installs, without the chart's
 * labels. All of them are installed, as that chart does.
 */
export const UPSTREAM_CRD_SOURCES: readonly UpstreamCrdSource[] = [
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    folder: 'example/prometheus-operator-crd',
    files: /^monitoring\.coreos\.com_.+\.yaml$/,
  },
  { module: 'github.com/cert-manager/cert-manager', folder: 'deploy/crds', files: /^(?:acme\.)?cert-manager\.io_.+\.yaml$/ },
  { module: 'sigs.k8s.io/gateway-api', folder: 'config/crd/standard', files: /^gateway\.networking\.k8s\.io_.+\.yaml$/ },
  {
    module: 'github.com/envoyproxy/gateway',
    folder: 'charts/gateway-helm/charts/crds/crds/generated',
    files: /^gateway\.envoyproxy\.io_.+\.yaml$/,
  },
  { module: 'github.com/elastic/cloud-on-k8s/v3', folder: 'config/crds/v1', files: /^all-crds\.yaml$/ },
];

/** A CustomResourceDefinition as read from an upstream module. */
export interface UpstreamCrd {
  /** Module and version it came from, e.g. `sigs.k8s.io/gateway-api@v1.6.1`. */
  readonly source: string;
  /** The manifest file inside the module. */
  readonly file: string;
  /** The CRD object. */
  readonly crd: {
    metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [key: string]: unknown;
  };
}

/**
 * The folder of a module pinned in {@link CRD_MODULE}, in the Go module cache, downloading it when needed. The go
 * command checks the download against `go.sum` of {@link CRD_MODULE}.
 */
export function upstreamModuleDir(module: string): string {
  const version = pinnedModuleVersion(module, CRD_MODULE);
  const result = spawnSync('go', ['mod', 'download', '-json', `${module}@${version}`], {
    cwd: path.join(WORKSPACE_ROOT, CRD_MODULE),
    env: { ...process.env, GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
    encoding: 'utf8',
  });
  const answer = result.stdout === '' ? {} : (JSON.parse(result.stdout) as { Dir?: string; Error?: string });
  if (result.status !== 0 || answer.Dir === undefined) {
    throw new Error(`go mod download ${module}@${version} (pinned in ${CRD_MODULE}/go.mod) failed: ${answer.Error ?? result.stderr}`);
  }
  return answer.Dir;
}

/** A line of Helm template text: an action such as `{{- if .Values.crds.enabled }}` or `{{ include ... }}`. */
const TEMPLATE_LINE = /^\s*(?:-\s+)?\{\{/m;

/**
 * The CustomResourceDefinitions of one manifest file (other kinds, e.g. Gateway API's ValidatingAdmissionPolicy,
 * are skipped).
 * @throws if the file holds Helm template text: a template is no manifest until Helm renders it, and reading it as
 *   YAML would drop or garble what the template puts there (labels, whole documents), so the source must name a
 *   plain copy of the CRDs instead
 * @throws if a document is no valid YAML
 */
export function crdsOfManifest(text: string, file: string): UpstreamCrd['crd'][] {
  if (TEMPLATE_LINE.test(text)) {
    throw new Error(`${file} is a Helm template, not a manifest: read the CRDs from a plain copy`);
  }
  return parseAllDocuments(text).flatMap((document, index) => {
    const [error] = document.errors;
    if (error !== undefined) throw new Error(`${file}, document ${index + 1}: ${error.message}`);
    const crd = document.toJS() as UpstreamCrd['crd'] | null;
    return crd !== null && crd.kind === 'CustomResourceDefinition' ? [crd] : [];
  });
}

/** Every CRD of {@link UPSTREAM_CRD_SOURCES}, read from the pinned modules. */
export function upstreamCrds(): UpstreamCrd[] {
  return UPSTREAM_CRD_SOURCES.flatMap((source) => {
    const folder = path.join(upstreamModuleDir(source.module), source.folder);
    const files = fs.readdirSync(folder).filter((file) => source.files.test(file));
    if (files.length === 0) throw new Error(`no CRD manifests matching ${String(source.files)} in ${source.module} ${source.folder}`);
    const version = pinnedModuleVersion(source.module, CRD_MODULE);
    return files.flatMap((file) =>
      crdsOfManifest(fs.readFileSync(path.join(folder, file), 'utf8'), `${source.module}@${version} ${source.folder}/${file}`).map(
        (crd) => ({ source: `${source.module}@${version}`, file: `${source.folder}/${file}`, crd }),
      ),
    );
  });
}

/** Applies every upstream CRD (server-side apply) and waits until each is Established. */
export async function installUpstreamCrds(client: KubeClient): Promise<UpstreamCrd[]> {
  const crds = upstreamCrds();
  await Promise.all(
    crds.map(({ crd }) => client.apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, crd)),
  );
  for (const { crd } of crds) {
    await waitFor(`CRD ${crd.metadata.name} to be established`, async () => {
      const current = await client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      const established = (current.status?.conditions ?? []).some(
        (condition: { type: string; status: string }) => condition.type === 'Established' && condition.status === 'True',
      );
      return established ? true : undefined;
    });
  }
  return crds;
}
