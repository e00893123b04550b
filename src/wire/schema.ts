import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs/light.js';

// The build turns llb.proto into protobufjs's JSON form (llb.json, next to the compiled module):
// the .proto stays the one place the wire format is written down, and no .proto parser runs or
// ships at run time.
let root: protobuf.Root | undefined;

/** The schema as llb.proto declares it, which the decoder reads with. */
export function schema(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(schemaJSON());
  return root;
}

export function messageType(name: string): protobuf.Type {
  return schema().lookupType(`pb.${name}`);
}

function schemaJSON(): protobuf.INamespace {
  return JSON.parse(readFileSync(new URL('./llb.json', import.meta.url), 'utf8')) as protobuf.INamespace;
}
