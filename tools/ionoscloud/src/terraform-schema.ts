/**
 * The shape of `terraform providers schema -json` (format 1.0), as far as the meetscale tooling reads it.
 * Attribute types are cty type expressions: `"string"`, `"number"`, `"bool"`, `"dynamic"`,
 * `["list" | "set" | "map", T]`, `["object", { name: T }]`, `["tuple", [T, ...]]`.
 */
export type CtyType = string | [string, CtyType] | ['object', { [name: string]: CtyType }] | ['tuple', CtyType[]];

/** One attribute of a block. */
export interface TerraformAttribute {
  readonly type?: CtyType;
  readonly nested_type?: TerraformNestedType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: boolean;
  readonly description?: string;
  readonly description_kind?: string;
}

/** An attribute with nested attributes (protocol 6). */
export interface TerraformNestedType {
  readonly attributes: { readonly [name: string]: TerraformAttribute };
  readonly nesting_mode: string;
  readonly min_items?: number;
  readonly max_items?: number;
}

/** A nested block type of a block. */
export interface TerraformBlockType {
  readonly nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  readonly block: TerraformBlock;
  readonly min_items?: number;
  readonly max_items?: number;
}

/** A configuration block: attributes and nested block types. */
export interface TerraformBlock {
  readonly attributes?: { readonly [name: string]: TerraformAttribute };
  readonly block_types?: { readonly [name: string]: TerraformBlockType };
  readonly deprecated?: boolean;
  readonly description?: string;
  readonly description_kind?: string;
}

/** The schema of a provider, a resource or a data source. */
export interface TerraformSchema {
  readonly version: number;
  readonly block: TerraformBlock;
}

/** The schemas of one provider. */
export interface ProviderSchemas {
  readonly provider: TerraformSchema;
  readonly resource_schemas?: { readonly [type: string]: TerraformSchema };
  readonly data_source_schemas?: { readonly [type: string]: TerraformSchema };
}

/** A `terraform providers schema -json` document, with the provider versions the cdktf generator reads. */
export interface ProviderSchemaDocument {
  readonly $comment?: string;
  readonly format_version: string;
  readonly provider_schemas: { readonly [fqpn: string]: ProviderSchemas };
  readonly provider_versions?: { readonly [fqpn: string]: string };
}
