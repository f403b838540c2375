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

/** The CRDs the test control plane installs: those the charts' custom resources are validated against. */
export const UPSTREAM_CRD_SOURCES: readonly UpstreamCrdSource[] = [
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    folder: 'example/prometheus-operator-crd',
    files: /^monitoring\.coreos\.com_.+\.yaml$/,
  },
  { module: 'github.com/cert-manager/cert-manager', folder: 'deploy/crds', files: /^crd-.+\.yaml$/ },
  { module: 'sigs.k8s.io/gateway-api', folder: 'config/crd/standard', files: /^gateway\.networking\.k8s\.io_.+\.yaml$/ },
];

/** A CustomResourceDefinition as read from an upstream module. */
export interface UpstreamCrd {
  /** Module and version it came from, e.g. `sigs.k8s.io/gateway-api@v1.4.1`. */
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
 * The folder of a pinned module in the Go module cache, downloading it when needed. The go command checks
 * the download against `go.sum` of {@link CRD_MODULE}.
 */
function _moduleDir(module: string): string {
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

/**
 * Template text in metadata: cert-manager's manifests are also its Helm chart's templates, so their labels
 * hold `{{ ... }}` expressions; a label value like that is no valid label and is dropped.
 */
function _withoutTemplatedMetadata(crd: UpstreamCrd['crd']): UpstreamCrd['crd'] {
  const keep = (entries: Record<string, string> | undefined): Record<string, string> | undefined => {
    if (entries === undefined) return undefined;
    const kept = Object.fromEntries(Object.entries(entries).filter(([, value]) => !String(value).includes('{{')));
    return Object.keys(kept).length === 0 ? undefined : kept;
  };
  const metadata = { ...crd.metadata, labels: keep(crd.metadata.labels), annotations: keep(crd.metadata.annotations) };
  if (metadata.labels === undefined) delete metadata.labels;
  if (metadata.annotations === undefined) delete metadata.annotations;
  return { ...crd, metadata };
}

/** Every CRD of {@link UPSTREAM_CRD_SOURCES}, read from the pinned modules. */
export function upstreamCrds(): UpstreamCrd[] {
  return UPSTREAM_CRD_SOURCES.flatMap((source) => {
    const folder = path.join(_moduleDir(source.module), source.folder);
    const files = fs.readdirSync(folder).filter((file) => source.files.test(file));
    if (files.length === 0) throw new Error(`no CRD manifests matching ${String(source.files)} in ${source.module} ${source.folder}`);
    return files.flatMap((file) =>
      parseAllDocuments(fs.readFileSync(path.join(folder, file), 'utf8'))
        .map((document) => document.toJS() as UpstreamCrd['crd'] | null)
        .filter((crd): crd is UpstreamCrd['crd'] => crd !== null && crd.kind === 'CustomResourceDefinition')
        .map((crd) => ({
          source: `${source.module}@${pinnedModuleVersion(source.module, CRD_MODULE)}`,
          file: `${source.folder}/${file}`,
          crd: _withoutTemplatedMetadata(crd),
        })),
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
