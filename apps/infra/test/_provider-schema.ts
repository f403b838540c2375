import * as fs from 'node:fs';
import * as path from 'node:path';

import { WORKSPACE_ROOT } from './_bindings';

/** A cty type expression of `terraform providers schema -json`. */
type CtyType = string | [string, unknown];

interface Attribute {
  type?: CtyType;
  nested_type?: { attributes: Record<string, Attribute>; nesting_mode: string };
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
}

interface BlockType {
  nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  block: Block;
  min_items?: number;
  max_items?: number;
}

interface Block {
  attributes?: Record<string, Attribute>;
  block_types?: Record<string, BlockType>;
}

interface ProviderSchemas {
  provider: { block: Block };
  resource_schemas: Record<string, { block: Block }>;
  data_source_schemas: Record<string, { block: Block }>;
}

/** The committed schema subset of one provider. */
export interface ProviderSchemaSubset {
  /** The provider version the subset was taken from. */
  readonly version: string;
  /** Its schemas. */
  readonly schemas: ProviderSchemas;
}

/** The synthesized Terraform JSON of one stack, as far as the check reads it. */
export interface SynthesizedStack {
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

const FQPN = 'registry.terraform.io/ionos-cloud/ionoscloud';

/** The committed subset of provider `ionos-cloud/ionoscloud` at the given version. */
export function readIonosSubset(version: string): ProviderSchemaSubset {
  const file = path.join(WORKSPACE_ROOT, 'tools', 'ionoscloud', 'schema', `ionoscloud-${version}.subset.json`);
  const document = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    provider_schemas: Record<string, ProviderSchemas>;
    provider_versions: Record<string, string>;
  };
  const schemas = document.provider_schemas[FQPN];
  if (schemas === undefined) throw new Error(`${file} holds no ${FQPN}`);
  return { version: document.provider_versions[FQPN] ?? '', schemas };
}

/** Terraform meta-arguments, allowed on every resource and data source whatever the schema says. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);

/** A string that is one whole Terraform expression (`${...}`): its type is only known to Terraform. */
const isExpression = (value: unknown): boolean => typeof value === 'string' && /^\$\{[\s\S]*\}$/.test(value);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const shown = (value: unknown): string => {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
};

const typeName = (type: CtyType): string => (typeof type === 'string' ? type : `${type[0]} of ${typeName(type[1] as CtyType)}`);

function _checkType(type: CtyType, value: unknown, at: string, problems: string[]): void {
  if (isExpression(value) || type === 'dynamic') return;
  if (typeof type === 'string') {
    const expected = { string: 'string', number: 'number', bool: 'boolean' }[type];
    if (typeof value !== expected) problems.push(`${at}: expected ${type}, got ${shown(value)}`);
    return;
  }
  const [kind, argument] = type;
  if (kind === 'list' || kind === 'set' || kind === 'tuple') {
    if (!Array.isArray(value)) {
      problems.push(`${at}: expected ${typeName(type)}, got ${shown(value)}`);
      return;
    }
    if (kind === 'tuple') {
      const elements = argument as CtyType[];
      if (value.length !== elements.length) problems.push(`${at}: expected a tuple of ${elements.length}, got ${value.length} elements`);
      value.forEach((element, index) => elements[index] !== undefined && _checkType(elements[index], element, `${at}[${index}]`, problems));
    } else {
      value.forEach((element, index) => _checkType(argument as CtyType, element, `${at}[${index}]`, problems));
    }
    return;
  }
  if (!isObject(value)) {
    problems.push(`${at}: expected ${kind === 'map' ? typeName(type) : 'an object'}, got ${shown(value)}`);
    return;
  }
  if (kind === 'map') {
    for (const [key, element] of Object.entries(value)) _checkType(argument as CtyType, element, `${at}.${key}`, problems);
    return;
  }
  const fields = argument as Record<string, CtyType>;
  for (const [key, element] of Object.entries(value)) {
    const field = fields[key];
    if (field === undefined) problems.push(`${at}.${key}: not a field of the object type`);
    else _checkType(field, element, `${at}.${key}`, problems);
  }
  for (const key of Object.keys(fields)) {
    if (!(key in value)) problems.push(`${at}: missing object field "${key}"`);
  }
}

function _checkAttribute(attribute: Attribute, value: unknown, at: string, problems: string[]): void {
  if (attribute.computed === true && attribute.optional !== true && attribute.required !== true) {
    problems.push(`${at}: computed-only attribute, cannot be set`);
    return;
  }
  if (attribute.type !== undefined) _checkType(attribute.type, value, at, problems);
  else if (attribute.nested_type !== undefined && !isExpression(value)) {
    const items = attribute.nested_type.nesting_mode === 'single' ? [value] : Array.isArray(value) ? value : [value];
    items.forEach((item, index) =>
      isObject(item) ? _checkBlock({ attributes: attribute.nested_type?.attributes }, item, `${at}[${index}]`, problems, false) : undefined,
    );
  }
}

function _checkBlockType(name: string, blockType: BlockType, value: unknown, at: string, problems: string[]): void {
  if (isExpression(value)) return;
  if (blockType.nesting_mode === 'map') {
    if (!isObject(value)) problems.push(`${at}: expected "${name}" blocks keyed by label, got ${shown(value)}`);
    else for (const [label, item] of Object.entries(value)) _checkNestedBlock(blockType.block, item, `${at}.${label}`, problems);
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  if ((blockType.nesting_mode === 'single' || blockType.nesting_mode === 'group') && items.length !== 1) {
    problems.push(`${at}: exactly one "${name}" block allowed, got ${items.length}`);
  }
  if (blockType.max_items !== undefined && items.length > blockType.max_items) {
    problems.push(`${at}: at most ${blockType.max_items} "${name}" block(s) allowed, got ${items.length}`);
  }
  if (blockType.min_items !== undefined && items.length < blockType.min_items) {
    problems.push(`${at}: at least ${blockType.min_items} "${name}" block(s) required, got ${items.length}`);
  }
  items.forEach((item, index) => _checkNestedBlock(blockType.block, item, Array.isArray(value) ? `${at}[${index}]` : at, problems));
}

function _checkNestedBlock(block: Block, value: unknown, at: string, problems: string[]): void {
  if (isObject(value)) _checkBlock(block, value, at, problems, false);
  else if (!isExpression(value)) problems.push(`${at}: expected a block (an object), got ${shown(value)}`);
}

function _checkBlock(block: Block, value: Record<string, unknown>, at: string, problems: string[], topLevel: boolean): void {
  for (const [key, child] of Object.entries(value)) {
    if (key === '//' || (topLevel && META_ARGUMENTS.has(key))) continue;
    const attribute = block.attributes?.[key];
    const blockType = block.block_types?.[key];
    if (attribute !== undefined) _checkAttribute(attribute, child, `${at}.${key}`, problems);
    else if (blockType !== undefined) _checkBlockType(key, blockType, child, `${at}.${key}`, problems);
    else problems.push(`${at}.${key}: no such attribute or block`);
  }
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    if (attribute.required === true && !(name in value)) problems.push(`${at}: missing required attribute "${name}"`);
  }
  for (const [name, blockType] of Object.entries(block.block_types ?? {})) {
    if ((blockType.min_items ?? 0) > 0 && !(name in value)) problems.push(`${at}: missing required block "${name}"`);
  }
}

/**
 * Checks every IONOS provider configuration, resource and data source of a synthesized stack against the
 * committed schema subset: the type exists, every key is an attribute or block of it, required attributes and
 * blocks are present, computed-only attributes are not set, values have the attribute's type (a whole
 * `${...}` expression is left to Terraform), blocks nest as the schema says, within their item bounds.
 * @returns the problems, one line each (`<address>.<path>: <problem>`), empty when the stack conforms
 */
export function checkAgainstSchema(stack: SynthesizedStack, subset: ProviderSchemaSubset): string[] {
  const problems: string[] = [];
  (stack.provider?.['ionoscloud'] ?? []).forEach((config, index) =>
    _checkBlock(subset.schemas.provider.block, config, `provider.ionoscloud[${index}]`, problems, true),
  );
  const sections = [
    ['resource', stack.resource, subset.schemas.resource_schemas],
    ['data', stack.data, subset.schemas.data_source_schemas],
  ] as const;
  for (const [section, elements, schemas] of sections) {
    for (const [type, instances] of Object.entries(elements ?? {})) {
      if (!type.startsWith('ionoscloud_')) continue;
      for (const [name, config] of Object.entries(instances)) {
        const at = `${section}.${type}.${name}`;
        const schema = schemas[type];
        if (schema === undefined) problems.push(`${at}: ${type} is not in the provider schema subset`);
        else _checkBlock(schema.block, config, at, problems, true);
      }
    }
  }
  return problems;
}

/** The IONOS resource and data source types a synthesized stack uses, as `resource.<type>` / `data.<type>`. */
export function ionosTypesOf(stack: SynthesizedStack): string[] {
  return [
    ...Object.keys(stack.resource ?? {}).map((type) => `resource.${type}`),
    ...Object.keys(stack.data ?? {}).map((type) => `data.${type}`),
  ].filter((qualified) => qualified.split('.')[1]?.startsWith('ionoscloud_'));
}
