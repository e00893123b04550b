import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs/light.js';

// The build turns llb.proto into protobufjs's JSON form (llb.json, next to the compiled module):
// the .proto stays the one place the wire format is written down, and no .proto parser runs or
// ships at run time.
let root: protobuf.Root | undefined;
let entriesRoot: protobuf.Root | undefined;

/** The schema as llb.proto declares it, which the decoder reads with. */
export function schema(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(schemaJSON());
  return root;
}

export function messageType(name: string): protobuf.Type {
  return schema().lookupType(`pb.${name}`);
}

/**
 * The schema the encoder writes with: the same wire format, but each map field declared as
 * what a map is on the wire, a repeated message of key (field 1) and value (field 2), both
 * always written, as gogo writes them; each entry type is marked `map_entry`, as protoc marks
 * those it makes. Entries are given as a list in the order they are written. protobufjs would
 * take a map as an object, and V8 interns the keys of an object, in its old generation: the
 * 200,000 digests keying a large Definition's metadata would stay there, as garbage, until a
 * full collection, which a compilation need not have before it ends (17 MB for 100,000 COPYs).
 */
export function entriesSchema(): protobuf.Root {
  entriesRoot ??= protobuf.Root.fromJSON(withMapsAsEntries(schemaJSON()));
  return entriesRoot;
}

function schemaJSON(): protobuf.INamespace {
  return JSON.parse(readFileSync(new URL('./llb.json', import.meta.url), 'utf8')) as protobuf.INamespace;
}

type TypeJSON = protobuf.INamespace & { fields?: Record<string, protobuf.IField & { keyType?: string; rule?: string }> };

function withMapsAsEntries(ns: TypeJSON): TypeJSON {
  for (const nested of Object.values(ns.nested ?? {})) withMapsAsEntries(nested as TypeJSON);
  for (const [name, field] of Object.entries(ns.fields ?? {})) {
    if (field.keyType === undefined) continue;
    const entry = `${name[0].toUpperCase()}${name.slice(1)}Entry`;
    if (ns.nested?.[entry]) throw new Error(`llb.json: ${entry} is taken`);
    const entryType: TypeJSON = {
      options: { map_entry: true },
      fields: { key: { type: field.keyType, id: 1, rule: 'required' }, value: { type: field.type, id: 2, rule: 'required' } },
    };
    ns.nested = { ...ns.nested, [entry]: entryType };
    ns.fields![name] = { type: entry, id: field.id, rule: 'repeated' };
  }
  return ns;
}
