import type {
  CtyType,
  TerraformAttribute,
  TerraformBlock,
  TerraformBlockType,
  TerraformNestedType,
  TerraformSchema,
} from './terraform-schema';

/** Prose keys dropped from blocks and attributes; everything else is a fact and kept. */
const PROSE = new Set(['description', 'description_kind']);

/** The same object with its keys sorted and the prose keys dropped. */
function _facts<T extends object>(value: T, rewrite: (key: string, child: unknown) => unknown): T {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (PROSE.has(key)) continue;
    result[key] = rewrite(key, (value as Record<string, unknown>)[key]);
  }
  return result as T;
}

/** A cty type with object-type fields sorted (field names are data, never dropped). */
function _type(type: CtyType): CtyType {
  if (typeof type === 'string') return type;
  const [kind, argument] = type;
  if (kind === 'tuple') return ['tuple', (argument as CtyType[]).map(_type)];
  if (kind === 'object') {
    const fields = argument as { [name: string]: CtyType };
    return [
      'object',
      Object.fromEntries(
        Object.keys(fields)
          .sort()
          .map((name) => [name, _type(fields[name] as CtyType)]),
      ),
    ];
  }
  return [kind, _type(argument as CtyType)] as CtyType;
}

/** A map of named schema parts, sorted by name, each stripped. */
function _named<T>(map: { readonly [name: string]: T }, strip: (part: T) => T): { [name: string]: T } {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((name) => [name, strip(map[name] as T)]),
  );
}

function _nestedType(nested: TerraformNestedType): TerraformNestedType {
  return _facts(nested, (key, child) => (key === 'attributes' ? _named(child as TerraformNestedType['attributes'], _attribute) : child));
}

function _attribute(attribute: TerraformAttribute): TerraformAttribute {
  return _facts(attribute, (key, child) => {
    if (key === 'type') return _type(child as CtyType);
    if (key === 'nested_type') return _nestedType(child as TerraformNestedType);
    return child;
  });
}

function _blockType(blockType: TerraformBlockType): TerraformBlockType {
  return _facts(blockType, (key, child) => (key === 'block' ? _block(child as TerraformBlock) : child));
}

function _block(block: TerraformBlock): TerraformBlock {
  return _facts(block, (key, child) => {
    if (key === 'attributes') return _named(child as NonNullable<TerraformBlock['attributes']>, _attribute);
    if (key === 'block_types') return _named(child as NonNullable<TerraformBlock['block_types']>, _blockType);
    return child;
  });
}

/**
 * A provider, resource or data source schema with the facts only: names, types, required / optional /
 * computed / sensitive / deprecated flags, nesting modes and item bounds. The prose (`description`,
 * `description_kind`) is dropped at every level, while attributes that happen to be *named* `description`
 * are kept. Keys are sorted, so the result does not depend on the source's key order.
 */
export function _stripSchema(schema: TerraformSchema): TerraformSchema {
  return { version: schema.version, block: _block(schema.block) };
}
