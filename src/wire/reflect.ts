import type protobuf from 'protobufjs';
import { messageType, schema } from './schema.js';

/**
 * What the decoder, the Go JSON writer and the diff need to know about a field, read once
 * from llb.proto. Names are the proto field names, which are also the gogo JSON names.
 */
export interface FieldInfo {
  readonly name: string;
  readonly number: number;
  /** A proto scalar type (`int64`, `string`, ...), or the full name of a message or enum. */
  readonly type: string;
  readonly kind: 'scalar' | 'enum' | 'message';
  readonly repeated: boolean;
  /** Set for map fields: the key's scalar type (the value is described by type and kind). */
  readonly mapKey?: string;
  readonly oneof?: string;
  /**
   * Whether Go's encoding/json leaves the field out when it is zero. gogo tags every field
   * `omitempty` except the non-nullable ones (customtype or nullable=false), which is why
   * Mount.input prints as 0 but Mount.readonly does not print as false.
   */
  readonly omitEmpty: boolean;
}

export interface MessageInfo {
  readonly name: string;
  readonly fields: readonly FieldInfo[];
  readonly byNumber: ReadonlyMap<number, FieldInfo>;
  readonly byName: ReadonlyMap<string, FieldInfo>;
  /** Oneof name → its members, in declaration order. */
  readonly oneofs: ReadonlyMap<string, readonly FieldInfo[]>;
}

const cache = new Map<string, MessageInfo>();

/** `name` without the package: `Op`, `ExecOp`, ... */
export function messageInfo(name: string): MessageInfo {
  const hit = cache.get(name);
  if (hit) return hit;
  const info = build(messageType(name));
  cache.set(name, info);
  return info;
}

function build(type: protobuf.Type): MessageInfo {
  const fields: FieldInfo[] = [];
  for (const f of type.fieldsArray) {
    f.resolve();
    const resolved = f.resolvedType;
    const kind = resolved === null ? 'scalar' : 'fieldsArray' in resolved ? 'message' : 'enum';
    const nullable = f.options?.['(gogoproto.nullable)'] !== false;
    const isMap = f.map;
    // gogo keeps omitempty on non-nullable repeated scalars (a map counts as repeated messages).
    const repeatedNative = f.repeated && kind !== 'message' && !f.options?.['(gogoproto.customtype)'];
    fields.push({
      name: f.name,
      number: f.id,
      type: resolved ? resolved.name : f.type,
      kind,
      repeated: f.repeated,
      mapKey: isMap ? (f as unknown as protobuf.MapField).keyType : undefined,
      oneof: f.partOf?.name,
      omitEmpty: nullable || repeatedNative,
    });
  }
  const oneofs = new Map<string, FieldInfo[]>();
  for (const f of fields) if (f.oneof) oneofs.set(f.oneof, [...(oneofs.get(f.oneof) ?? []), f]);
  return {
    name: type.name,
    fields,
    byNumber: new Map(fields.map((f) => [f.number, f])),
    byName: new Map(fields.map((f) => [f.name, f])),
    oneofs,
  };
}

/** The Go struct field protoc-gen-gogo generates for a oneof: `op` → `Op`, `user` → `User`. */
export function goOneofName(oneof: string): string {
  return oneof
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A decoded message: present fields by proto name. Maps are Maps; 64-bit integers are numbers when safe. */
export type Msg = { [field: string]: Value };
export type Value = string | number | bigint | boolean | Uint8Array | Msg | Value[] | Map<string, Value>;

// A plain object literal keeps V8's fast properties (Object.create(null) would not); field
// names come from the schema, so none collides with Object.prototype's.
export function newMsg(): Msg {
  return {};
}

/** The name of an enum value (`LOCKED`), if the schema has one. */
export function enumValueName(enumType: string, value: number): string | undefined {
  return schema().lookupEnum(`pb.${enumType}`).valuesById[value];
}
