import type protobuf from 'protobufjs';
import { messageType } from './schema.js';

/**
 * Encodes a plain object as the named pb message with gogo/protobuf's proto3 rules, which is
 * what Go's `llb` marshals with: scalar fields holding their zero value and empty repeated
 * fields are not written, set oneof members always are, set sub-messages always are (even
 * when empty), and map entries are written in sorted key order.
 */
export function encodeMessage(typeName: string, value: object): Uint8Array {
  const type = messageType(typeName);
  return type.encode(canonical(type, value)).finish();
}

type Plain = Record<string, unknown>;

function canonical(type: protobuf.Type, value: object): Plain {
  const out: Plain = {};
  const src = value as Plain;
  for (const field of type.fieldsArray) {
    const v = src[field.name];
    if (v === undefined || v === null) continue;
    field.resolve();
    if (field.map) {
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Plain);
      if (entries.length === 0) continue;
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const sorted: Plain = {};
      for (const [k, mv] of entries) sorted[k] = field.resolvedType ? canonical(field.resolvedType as protobuf.Type, mv as object) : mv;
      out[field.name] = sorted;
    } else if (field.repeated) {
      const list = v as unknown[];
      if (list.length === 0) continue;
      out[field.name] = field.resolvedType instanceof Object && 'fieldsArray' in field.resolvedType
        ? list.map((item) => canonical(field.resolvedType as protobuf.Type, item as object))
        : list;
    } else if (field.resolvedType && 'fieldsArray' in field.resolvedType) {
      out[field.name] = canonical(field.resolvedType as protobuf.Type, v as object);
    } else if (field.partOf || !isZero(v)) {
      out[field.name] = v;
    }
  }
  return out;
}

function isZero(v: unknown): boolean {
  return v === 0 || v === false || v === '' || (v instanceof Uint8Array && v.length === 0);
}
