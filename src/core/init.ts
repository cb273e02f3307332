import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { atomicWrite } from './util/atomic-write.js';
import { join } from 'node:path';
import { UsageError } from './errors.js';
import { CONFIG_FILE, DEFAULT_ARTIFACTS, DEFAULT_REGISTRY } from './config.js';

export interface InitOptions {
  dir: string;
  /** Text of templates/mlctl.yaml. */
  configTemplate: string;
  registry?: string;
  artifacts?: string;
  s3Endpoint?: string;
  force?: boolean;
}

export interface InitResult {
  config: string;
  written: string[];
  registry: string;
  artifacts: string;
}

/** Fill templates/mlctl.yaml. */
export function configText(template: string, o: { registry: string; artifacts: string; s3Endpoint?: string }): string {
  const s3 = o.s3Endpoint
    ? `\n# For MinIO, R2, Ceph and other S3-compatible servers:\ns3: { endpoint: ${o.s3Endpoint}, region: us-east-1, forcePathStyle: true }\n`
    : '';
  return template.replace('{{registry}}', o.registry).replace('{{artifacts}}', o.artifacts).replace('{{s3}}\n', s3);
}

/** Non-interactive project set-up: mlctl.yaml with the embedded defaults and the .mlctl/ folder. */
export function initProject(o: InitOptions): InitResult {
  const config = join(o.dir, CONFIG_FILE);
  if (existsSync(config) && !o.force) throw new UsageError(`${config} already exists; pass --force to overwrite it`);
  const registry = o.registry ?? DEFAULT_REGISTRY;
  const artifacts = o.artifacts ?? DEFAULT_ARTIFACTS;
  const written: string[] = [];
  atomicWrite(config, configText(o.configTemplate, { registry, artifacts, s3Endpoint: o.s3Endpoint }));
  written.push(config);
  const state = join(o.dir, '.mlctl');
  mkdirSync(state, { recursive: true });
  const ignore = join(state, '.gitignore');
  if (!existsSync(ignore)) {
    // The registry database and local blobs never belong in git.
    writeFileSync(ignore, '*\n');
    written.push(ignore);
  }
  return { config, written, registry, artifacts };
}
