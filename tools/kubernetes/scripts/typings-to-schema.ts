import * as ts from 'typescript';

import type { Json } from './strip-descriptions';

/** JSON Schema references for the named types the typings import, e.g. `IObjectMeta`. */
export type TypeReferences = Readonly<Record<string, string>>;

/** Describes a node for an error message. */
function _where(node: ts.Node): string {
  const source = node.getSourceFile();
  const { line } = source.getLineAndCharacterOfPosition(node.getStart());
  return `${source.fileName}:${line + 1} (${ts.SyntaxKind[node.kind]})`;
}

/** The JSON Schema of a union: literals become an `enum`, primitive keywords a list of types. */
function _union(node: ts.UnionTypeNode, references: TypeReferences): Json {
  const literals: Json[] = [];
  const types: string[] = [];
  for (const member of node.types) {
    const schema = _type(member, references) as { enum?: Json[]; type?: string };
    if (schema.enum !== undefined && Object.keys(schema).length === 1) literals.push(...schema.enum);
    else if (typeof schema.type === 'string' && Object.keys(schema).length === 1) types.push(schema.type);
    else throw new Error(`Unsupported union member at ${_where(member)}`);
  }
  if (literals.length > 0 && types.length > 0) throw new Error(`Mixed literal/type union at ${_where(node)}`);
  return literals.length > 0 ? { enum: literals } : { type: types };
}

/** The JSON Schema of an object type's members; closed unless it has an index signature or no member at all. */
function _object(members: ts.NodeArray<ts.TypeElement>, references: TypeReferences): Json {
  const properties: { [name: string]: Json } = {};
  const required: string[] = [];
  let additional: Json = false;
  for (const member of members) {
    if (ts.isPropertySignature(member) && member.type !== undefined) {
      const name = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : undefined;
      if (name === undefined) throw new Error(`Unsupported property name at ${_where(member)}`);
      properties[name] = _type(member.type, references);
      if (member.questionToken === undefined) required.push(name);
    } else if (ts.isIndexSignatureDeclaration(member)) {
      additional = _type(member.type, references);
    } else {
      throw new Error(`Unsupported member at ${_where(member)}`);
    }
  }
  if (members.length === 0) return { type: 'object' };
  const schema: { [key: string]: Json } = { type: 'object', additionalProperties: additional };
  if (Object.keys(properties).length > 0) schema.properties = properties;
  if (required.length > 0) schema.required = required;
  return schema;
}

/**
 * The JSON Schema of a type node of the typings that `@kubernetes-models/crd-generate` writes from a CRD's
 * OpenAPI schema: object literals (closed unless they carry an index signature), `Array<T>`, unions, string
 * literals, `string`/`number`/`boolean`, and the named types listed in `references`.
 * @throws on any other construct, so that a new construct in the typings cannot be silently mistranslated
 */
function _type(node: ts.TypeNode, references: TypeReferences): Json {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'number' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return {};
    default:
      break;
  }
  if (ts.isTypeLiteralNode(node)) return _object(node.members, references);
  if (ts.isUnionTypeNode(node)) return _union(node, references);
  if (ts.isParenthesizedTypeNode(node)) return _type(node.type, references);
  if (ts.isArrayTypeNode(node)) return { type: 'array', items: _type(node.elementType, references) };
  if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { enum: [node.literal.text] };
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const name = node.typeName.text;
    const [element] = node.typeArguments ?? [];
    if (name === 'Array' && element !== undefined) return { type: 'array', items: _type(element, references) };
    const ref = references[name];
    if (ref !== undefined) return { $ref: ref };
  }
  throw new Error(`Unsupported type at ${_where(node)}`);
}

/**
 * Converts the interface `interfaceName` of a `.d.ts` text into a JSON Schema.
 * @throws if the interface is missing or uses a construct the converter does not know
 */
export function interfaceToSchema(fileName: string, text: string, interfaceName: string, references: TypeReferences): Json {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === interfaceName,
  );
  if (declaration === undefined) throw new Error(`${fileName} declares no interface ${interfaceName}`);
  return _object(declaration.members, references);
}
