import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Options of a new chart package. */
export interface ScaffoldOptions {
  /** Chart name: lower-case DNS label, also the package folder (`packages/<name>`). */
  readonly name: string;
  /** Nx scope tag of the package. @default "jitsi" */
  readonly scope?: 'jitsi' | 'bbb' | 'ops';
  /** Workspace root to write into. */
  readonly root: string;
}

const camel = (name: string): string => name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
const pascal = (name: string): string => camel(name).replace(/^[a-z]/, (letter) => letter.toUpperCase());

/** The files of a new chart package, by workspace-relative path. */
export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  const { name } = options;
  if (!/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(name))
    throw new Error(`Chart name "${name}" must be a lower-case DNS label of 2 to 32 characters`);
  const dir = `packages/${name}`;
  const values = `${camel(name)}Values`;
  const construct = pascal(name);
  return {
    [`${dir}/package.json`]: `${JSON.stringify(
      {
        name: `@meetscale/${name}`,
        version: '0.1.0',
        private: true,
        description: `The ${name} chart.`,
        license: 'Apache-2.0',
        main: 'src/index.ts',
        types: 'src/index.ts',
        exports: { '.': './src/index.ts' },
        dependencies: {
          '@meetscale/chart-toolkit': '0.1.0',
          cdk8s: '^2.70.0',
          constructs: '^10.4.0',
          'kubernetes-types': '^1.30.0',
          zod: '^4.1.0',
        },
      },
      null,
      2,
    )}\n`,
    [`${dir}/project.json`]: `${JSON.stringify(
      {
        name,
        $schema: '../../node_modules/nx/schemas/project-schema.json',
        projectType: 'library',
        sourceRoot: `${dir}/src`,
        tags: ['type:chart', `scope:${options.scope ?? 'jitsi'}`],
        targets: {
          typecheck: { command: `tsc -p ${dir}/tsconfig.json` },
          lint: { command: `eslint ${dir}` },
          synth: {
            command: `tsx tools/synth/src/main.ts ${dir}`,
            inputs: [
              'production',
              '^production',
              '{workspaceRoot}/tools/synth/src/**/*',
              { externalDependencies: ['cdk8s', 'kubernetes-types', 'zod', 'yaml'] },
            ],
            outputs: [
              `{workspaceRoot}/charts/${name}`,
              `{workspaceRoot}/charts/facts/${name}.ts`,
              '{workspaceRoot}/charts/facts/_naming.ts',
              '{workspaceRoot}/charts/package.json',
            ],
          },
        },
      },
      null,
      2,
    )}\n`,
    [`${dir}/tsconfig.json`]: `{\n  "extends": "../../tsconfig.base.json",\n  "include": ["src/**/*.ts", "test/**/*.ts"]\n}\n`,
    [`${dir}/src/values.ts`]: `import { baseValues, workloadValues } from '@meetscale/chart-toolkit';
import { z } from 'zod';

/** The values of the ${name} chart: every field has a description and a default. */
export const ${values} = z.strictObject({
  ...baseValues,
  replicaCount: z.number().int().min(0).max(32).default(1).describe('Replicas.'),
  // image, resources, placement, security contexts, probes, service account and every escape hatch
  ...workloadValues({
    image: { repository: 'nginx', tag: '1.27' },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: 'RuntimeDefault' } },
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    podDisruptionBudget: { enabled: false, maxUnavailable: 1 },
  }),
});

/** Values of the ${name} chart after defaults are applied. */
export type ${construct}Values = z.output<typeof ${values}>;
`,
    [`${dir}/src/${name}.ts`]: `import { type HelmChart, Workload } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';

import type { ${construct}Values } from './values';

/** Settings of the ${construct} construct. */
export interface ${construct}Props {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<${construct}Values>;
}

/** The workload of the ${name} chart. Replace with the real components. */
export class ${construct} extends Construct {
  public constructor(scope: Construct, id: string, props: ${construct}Props) {
    super(scope, id);
    const { chart } = props;
    new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component: '${name}',
      fullname: true,
      values: chart.values,
      replicas: chart.values.replicaCount,
      deployment: { strategy: { type: 'RollingUpdate' } },
      container: { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
    });
  }
}
`,
    [`${dir}/docs/README.md`]: `What the chart deploys, how to install it, and how to upgrade it.
`,
    [`${dir}/src/chart.ts`]: `import { join } from 'node:path';

import { defineChart, readChartText } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { ${construct} } from './${name}';
import { ${values} } from './values';

/** The ${name} chart. */
export const ${camel(name)}Chart = defineChart({
  name: '${name}',
  version: packageJson.version,
  appVersion: '1.27',
  description: 'The ${name} chart.',
  keywords: ['meetscale'],
  source: '${dir}',
  values: ${values},
  build: (chart) => {
    new ${construct}(chart, '${name}', { chart });
  },
  notes: (chart) => \`${name} \${chart.fullname} is installed in namespace \${chart.release.namespace}.\\n\`,
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md')),
  scenarios: { 'two-replicas': { replicaCount: 2 } },
});
`,
    [`${dir}/src/index.ts`]: `export { ${camel(name)}Chart } from './chart';\nexport { ${construct}, type ${construct}Props } from './${name}';\nexport { type ${construct}Values, ${values} } from './values';\n`,
  };
}

/** Writes a new chart package; refuses to overwrite an existing one. */
export function scaffoldChart(options: ScaffoldOptions): string[] {
  const files = scaffoldFiles(options);
  const dir = join(options.root, 'packages', options.name);
  if (existsSync(dir)) throw new Error(`packages/${options.name} already exists`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(options.root, path)), { recursive: true });
    writeFileSync(join(options.root, path), content);
  }
  return Object.keys(files);
}
