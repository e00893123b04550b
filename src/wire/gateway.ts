import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs/light.js';
import { GrpcClient, GrpcError } from './grpc.js';

// BuildKit's gateway API (the LLBBridge service), as a frontend calls it: the messages of
// src/wire/gateway/*.proto, which the build ships as gateway.json beside llb.json.

let root: protobuf.Root | undefined;

function type(name: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL('./gateway.json', import.meta.url), 'utf8')) as protobuf.INamespace);
  return root.lookupType(name);
}

/** Encodes a plain object (maps as objects, bytes as Uint8Array) as the named message. */
export function encodeGatewayMessage(name: string, value: object): Uint8Array {
  const t = type(name);
  return t.encode(t.fromObject(value)).finish();
}

/** Decodes the named message as a plain object: absent fields at their defaults, 64-bit integers as numbers. */
export function decodeGatewayMessage<T>(name: string, bytes: Uint8Array): T {
  const t = type(name);
  return t.toObject(t.decode(bytes), { defaults: true, arrays: true, objects: true, longs: Number, oneofs: true }) as T;
}

export interface PbPlatform {
  OS: string;
  Architecture: string;
  Variant?: string;
}

export interface APICap {
  ID: string;
  Enabled: boolean;
}

export interface WorkerRecord {
  ID: string;
  Labels: Record<string, string>;
  platforms: PbPlatform[];
}

export interface Pong {
  FrontendAPICaps: APICap[];
  LLBCaps: APICap[];
  Workers: WorkerRecord[];
}

export interface SolveRequest {
  /** An encoded pb.Definition. */
  Definition?: Uint8Array;
  Frontend?: string;
  FrontendOpt?: Record<string, string>;
  allowResultReturn?: boolean;
  allowResultArrayRef?: boolean;
  Evaluate?: boolean;
}

/** A solved result's reference, by its id (a Solve answer also carries its Definition, which llbc does not read). */
export interface Ref {
  id: string;
}

export interface Result {
  ref?: Ref;
  refs?: { refs: Record<string, Ref> };
  metadata: Record<string, Uint8Array>;
}

export interface ResolveImageConfigRequest {
  Ref: string;
  Platform?: PbPlatform;
  ResolveMode?: string;
  LogName?: string;
  SessionID?: string;
}

/** google.rpc.Status with its details, each a google.protobuf.Any. */
export interface Status {
  code: number;
  message: string;
  details?: { type_url: string; value: Uint8Array }[];
}

const service = '/moby.buildkit.v1.frontend.LLBBridge';

/** The LLBBridge calls llbc makes, on a gRPC connection to the daemon. */
export class LLBBridge {
  constructor(private readonly grpc: GrpcClient) {}

  private async call<T>(method: string, request: string, response: string, value: object): Promise<T> {
    return decodeGatewayMessage<T>(`moby.buildkit.v1.frontend.${response}`, await this.grpc.unary(`${service}/${method}`, encodeGatewayMessage(`moby.buildkit.v1.frontend.${request}`, value)));
  }

  ping(): Promise<Pong> {
    return this.call('Ping', 'PingRequest', 'PongResponse', {});
  }

  async solve(req: SolveRequest): Promise<Result> {
    const { Definition: def, ...rest } = req;
    // The Definition, already encoded, is written as field 1 before the others, as it would be
    // encoded there: a large one is neither decoded nor copied into a message object.
    let request = encodeGatewayMessage('moby.buildkit.v1.frontend.SolveRequest', rest);
    if (def) request = Buffer.concat([protobuf.Writer.create().uint32((1 << 3) | 2).bytes(def).finish(), request]);
    const answer = await this.grpc.unary(`${service}/Solve`, request);
    const res = decodeGatewayMessage<{ ref: string; result?: Result }>('moby.buildkit.v1.frontend.SolveResponse', answer);
    if (res.result) return res.result;
    // Daemons before the result field answered with a ref's id only.
    return { ref: { id: res.ref }, metadata: {} };
  }

  async readFile(ref: string, path: string): Promise<Uint8Array> {
    return (await this.call<{ Data: Uint8Array }>('ReadFile', 'ReadFileRequest', 'ReadFileResponse', { Ref: ref, FilePath: path })).Data;
  }

  /** The image's digest and its configuration (JSON). */
  async resolveImageConfig(req: ResolveImageConfigRequest): Promise<{ digest: string; config: Uint8Array }> {
    const res = await this.call<{ Digest: string; Config: Uint8Array }>('ResolveImageConfig', 'ResolveImageConfigRequest', 'ResolveImageConfigResponse', req);
    return { digest: res.Digest, config: res.Config };
  }

  /** Hands the daemon the build's result, or its error: the frontend's last call. */
  async return(outcome: { result: Result } | { error: Status }): Promise<void> {
    // The daemon reads a returned ref's id only.
    await this.call('Return', 'ReturnRequest', 'ReturnResponse', outcome);
  }
}

/**
 * An error detail that points into a build file, as BuildKit's clients show it with the file's
 * lines: an errdefs.Source, which BuildKit's gRPC errors carry as JSON under the name it
 * registers for the type (grpcerrors' withDetails), not as protobuf.
 */
export function sourceDetail(filename: string, data: Uint8Array, ranges: readonly SourceRange[]): { type_url: string; value: Uint8Array } {
  // Go's encoding/json of the gogo structs: bytes in base64, zero numbers left out.
  const position = (line: number, character: number) => ({ ...(line ? { line } : {}), ...(character ? { character } : {}) });
  const source = {
    info: { filename, data: Buffer.from(data).toString('base64') },
    ranges: ranges.map((r) => ({ start: position(r.start.line, r.start.character), end: position(r.end.line, r.end.character) })),
  };
  return { type_url: 'github.com/moby/buildkit/errdefs.Source+json', value: Buffer.from(JSON.stringify(source)) };
}

/** Lines from 1, characters from 0, as pb.Range counts them. */
export interface SourceRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

export { GrpcError };
