// The source of src/wire/messages.generated.ts, which the build writes from src/wire/llb.proto:
// a TypeScript interface for each message type and a union of values for each enum, which the
// llb model builds its messages as (so a misspelled field does not compile); and for each
// message type, the encoder protobufjs would generate for it at run time (protobufjs's own
// codegen, run here), the canonical() that makes a value write as gogo writes it, and its
// fields' numbers. Made at build time, they are part of the bundle and of its V8 code cache: a
// run neither builds protobufjs's reflection of the schema nor compiles generated code.
import protobuf from 'protobufjs';

/**
 * The schema the encoder writes with: the same wire format, but each map field declared as
 * what a map is on the wire, a repeated message of key (field 1) and value (field 2), both
 * always written, as gogo writes them; each entry type is marked `map_entry`, as protoc marks
 * those it makes. Entries are given as a list in the order they are written. protobufjs would
 * take a map as an object, and V8 interns the keys of an object, in its old generation: the
 * digests keying a large Definition's metadata would stay there, as garbage, until a full
 * collection, which a compilation need not have before it ends.
 */
function withMapsAsEntries(ns) {
  for (const nested of Object.values(ns.nested ?? {})) withMapsAsEntries(nested);
  for (const [name, field] of Object.entries(ns.fields ?? {})) {
    if (field.keyType === undefined) continue;
    const entry = `${name[0].toUpperCase()}${name.slice(1)}Entry`;
    if (ns.nested?.[entry]) throw new Error(`llb.proto: ${entry} is taken`);
    const entryType = {
      options: { map_entry: true },
      fields: { key: { type: field.keyType, id: 1, rule: 'required' }, value: { type: field.type, id: 2, rule: 'required' } },
    };
    ns.nested = { ...ns.nested, [entry]: entryType };
    ns.fields[name] = { type: entry, id: field.id, rule: 'repeated' };
  }
  return ns;
}

function* messageTypes(ns) {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) yield nested;
    if (nested instanceof protobuf.Namespace) yield* messageTypes(nested);
  }
}

/** A type's name in the generated table: its full name without the package. */
const nameOf = (type) => type.fullName.replace(/^\.pb\./, '');
const ref = (type) => `$[${JSON.stringify(nameOf(type))}]`;
const canRef = (type) => `${ref(type)}.canonical`;

// Scalars canonical() may change: strings (unpaired surrogates) and 64-bit integers (bigints).
const changeable = ['string', 'int64', 'uint64'];

/** How canonical() makes one value of the field canonical, as an expression of `v`, if it may need to. */
function converter(type, field) {
  const t = field.resolve().resolvedType;
  if (t instanceof protobuf.Type && t.options?.map_entry) {
    const key = t.fields.key;
    const value = t.fields.value.resolve();
    if (key.type !== 'string') throw new Error(`${type.name}.${field.name}: only maps keyed by strings are written`);
    const valueConvert = value.resolvedType instanceof protobuf.Type ? canRef(value.resolvedType) : changeable.includes(value.type) ? 'h.scalar' : 'h.identity';
    return `h.mapEntries(v, h.scalar, ${valueConvert}, ${!(value.resolvedType instanceof protobuf.Type)})`;
  }
  const element = t instanceof protobuf.Type ? canRef(t) : changeable.includes(field.type) ? 'h.scalar' : undefined;
  if (!element) return undefined;
  return field.repeated ? `h.list(v, ${element})` : `${element}(v)`;
}

/**
 * canonical() for the type: a read of each field that may need making canonical, by name, and
 * the value copied only where something changes, which for most of what llb encodes is
 * nothing. (Not a loop over the field names: each read of a name not known in advance is a
 * slow one.)
 */
function canonicalSource(type) {
  const lines = [`function canonical${type.name}(value) {`, '  let out, v, c;'];
  for (const field of type.fieldsArray) {
    const convert = converter(type, field);
    if (!convert) continue;
    const name = JSON.stringify(field.name);
    lines.push(`  v = value[${name}];`, '  if (v !== undefined && v !== null) {', `    c = ${convert};`, `    if (c !== v) (out ??= { ...value })[${name}] = c;`, '  }');
  }
  lines.push('  return out ?? value;', '}');
  return lines.join('\n');
}

/** The field numbers and types fieldHeader and encodeBytesInBlocks read. */
function fieldsOf(type) {
  return Object.fromEntries(type.fieldsArray.map((f) => [f.name, { id: f.id, type: f.type, repeated: f.repeated }]));
}

// The TypeScript type of a value of each scalar type, as encodeMessage takes it.
const scalarTypes = {
  string: 'string',
  bytes: 'Uint8Array',
  bool: 'boolean',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'number | bigint',
  uint64: 'number | bigint',
  sint64: 'number | bigint',
  fixed64: 'number | bigint',
  sfixed64: 'number | bigint',
  double: 'number',
  float: 'number',
};

/** A type's name as a TypeScript identifier: nested types joined by `_`. */
const tsName = (type) => nameOf(type).replace(/\./g, '_');

/** The TypeScript type of one value of the field (an element, for a repeated field). */
function valueType(field) {
  const t = field.resolve().resolvedType;
  if (t) return tsName(t);
  const scalar = scalarTypes[field.type];
  if (!scalar) throw new Error(`${field.fullName}: no TypeScript type for ${field.type}`);
  return scalar;
}

/**
 * The interfaces and enum types of llb.proto, as encodeMessage takes values: every field may be
 * left out (proto3), a repeated field is an array, a map is given as any form canonical() takes,
 * a 64-bit integer as a number or a bigint, an enum as one of its numbers. Written here rather
 * than by protobufjs-cli's pbts, whose types describe protobufjs's generated classes (Long for
 * 64-bit integers, maps as objects only) and which needs the JSDoc toolchain to run.
 */
function typeDeclarations(root) {
  const out = [
    '/** A map field: an object, a Map or its entries as { key, value } (see canonical() in src/wire/encode.ts). */',
    'export type MapOf<V> = Readonly<Record<string, V>> | ReadonlyMap<string, V> | readonly { readonly key: string; readonly value: V }[];',
    '',
  ];
  const names = [];
  for (const nested of root.lookup('pb').nestedArray) {
    if (nested instanceof protobuf.Enum) {
      const values = Object.entries(nested.values);
      out.push(`/** pb.${nested.name}: ${values.map(([name, n]) => `${n} ${name}`).join(', ')}. */`);
      out.push(`export type ${nested.name} = ${[...new Set(values.map(([, n]) => n))].join(' | ')};`, '');
    }
  }
  for (const type of messageTypes(root)) {
    names.push(type);
    out.push(`/** pb.${nameOf(type)}. */`, `export interface ${tsName(type)} {`);
    for (const field of type.fieldsArray) {
      const value = valueType(field);
      const ts = field.map ? `MapOf<${value}>` : field.repeated ? `readonly ${value.includes(' ') ? `(${value})` : value}[]` : value;
      out.push(`  readonly ${field.name}?: ${ts};`);
    }
    out.push('}', '');
  }
  out.push('/** Every message type by its name in llb.proto (without the package). */', 'export interface Messages {');
  for (const type of names) out.push(`  readonly ${nameOf(type).includes('.') ? JSON.stringify(nameOf(type)) : nameOf(type)}: ${tsName(type)};`);
  out.push('}', '');
  return out;
}

/** The generated module, from llb.proto in protobufjs's JSON form (which is not changed). */
export function generateMessages(schemaJSON) {
  const declared = protobuf.Root.fromJSON(structuredClone(schemaJSON));
  declared.resolveAll();
  const root = protobuf.Root.fromJSON(withMapsAsEntries(structuredClone(schemaJSON)));
  root.resolveAll();
  const types = [...messageTypes(root)];
  const out = [
    '// Generated by scripts/messages.mjs from src/wire/llb.proto when llbc is built: do not edit.',
    '// The encoders below are untyped JavaScript; the declarations above them are what the rest reads.',
    '// @ts-nocheck',
    '/* eslint-disable */',
    '',
    ...typeDeclarations(declared),
    '/** Every message type of llb.proto (maps as entries), by name: its encoder, canonical() and fields. */',
    'export function makeMessages(Writer, util, h) {',
    '  const $: any = {};',
  ];
  for (const type of types) {
    out.push(`  ${ref(type)} = { name: ${JSON.stringify(nameOf(type))}, fields: ${JSON.stringify(fieldsOf(type))}, encode: undefined, canonical: undefined };`);
  }
  for (const type of types) {
    // protobufjs's encoder reads the types of message fields as types[i], i the field's place in fieldsArray.
    const fieldTypes = type.fieldsArray.map((f) => (f.resolve().resolvedType instanceof protobuf.Type ? ref(f.resolvedType) : 'null'));
    const encoder = protobuf.encoder(type).toString(`${type.name}$encode`);
    out.push(`  ${ref(type)}.encode = (function (types) {\n    return ${encoder.replace(/\n/g, '\n    ')};\n  })([${fieldTypes.join(', ')}]);`);
    out.push(`  ${ref(type)}.canonical = ${canonicalSource(type).replace(/\n/g, '\n  ')};`);
  }
  out.push('  return $;', '}', '');
  return out.join('\n');
}
