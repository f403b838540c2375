import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type AutoscalerConfig, autoscalerConfig, SECRET_PATHS } from '@meetscale/bbb-autoscaling';
import YAML from 'yaml';

/** The credentials the autoscaler reads from files of mounted Secrets. */
export interface Credentials {
  readonly ionosToken: string;
  readonly scaleliteSecret: string;
  /** Each pool server's BigBlueButton API secret, by host. */
  readonly serverSecrets: ReadonlyMap<string, string>;
}

/**
 * Reads and checks the configuration file.
 * @throws an error naming the file and every invalid value, by path
 */
export function readConfig(file: string): AutoscalerConfig {
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the configuration ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = autoscalerConfig.safeParse(parsed);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  throw new Error(`invalid configuration ${file}:\n${issues.join('\n')}`);
}

/**
 * Reads the credentials from their files (`SECRET_PATHS`, below `root` in tests and local runs).
 * @throws an error naming every missing or empty file at once
 */
export function readCredentials(config: AutoscalerConfig, root = ''): Credentials {
  const problems: string[] = [];
  const read = (path: string): string => {
    const file = join(root, path);
    const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    if (text === '') problems.push(existsSync(file) ? `${file} is empty` : `${file} is missing`);
    return text;
  };
  const ionosToken = read(SECRET_PATHS.ionosToken);
  const scaleliteSecret = read(SECRET_PATHS.scaleliteSecret);
  const serverSecrets = new Map(config.pool.map((server) => [server.host, read(join(SECRET_PATHS.serverSecrets, server.host))]));
  if (problems.length > 0) throw new Error(`missing credentials:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  return { ionosToken, scaleliteSecret, serverSecrets };
}
