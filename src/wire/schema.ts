import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

// The schema ships as a .proto file next to the compiled module (the build copies it),
// so the wire format is written down once, in the language BuildKit itself uses.
let root: protobuf.Root | undefined;

export function schema(): protobuf.Root {
  root ??= protobuf.parse(readFileSync(new URL('./llb.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
  return root;
}

export function messageType(name: string): protobuf.Type {
  return schema().lookupType(`pb.${name}`);
}
