import http2 from 'node:http2';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import protobuf from 'protobufjs';
import { llbcBin, repoRoot } from '../helpers.js';

// A stand-in for buildkitd's side of a gateway frontend: an HTTP/2 gRPC server (node's own)
// on the stdin and stdout of `llbc frontend`, run as buildkitd runs it, answering the
// LLBBridge calls from a made-up client directory and registry, and recording what it was
// asked and what the frontend returned.

const schema = protobuf.Root.fromJSON(JSON.parse(readFileSync(join(repoRoot, 'dist', 'gateway.json'), 'utf8')) as protobuf.INamespace);
const frontendType = (name: string) => schema.lookupType(`moby.buildkit.v1.frontend.${name}`);

export const decodeAs = (type: string, bytes: Uint8Array) => schema.lookupType(type).toObject(schema.lookupType(type).decode(bytes), { longs: Number, defaults: false, arrays: true });

export interface FakeImage {
  readonly digest: string;
  readonly config: unknown;
}

export interface FakeBuild {
  /** BUILDKIT_FRONTEND_OPT_<n> values, `key=value`. */
  readonly opts?: readonly string[];
  /** The `dockerfile` local's files. */
  readonly files: Readonly<Record<string, string>>;
  /** The `context` local's files (only its `.dockerignore` is read). */
  readonly context?: Readonly<Record<string, string>>;
  /** Images by reference, as ResolveImageConfig finds them. */
  readonly images?: Readonly<Record<string, FakeImage>>;
  /** Answer Solve of the build (not of the build file's local) with this error instead. */
  readonly solveError?: { code: number; message: string };
  readonly workers?: string;
  /** Answer the Ping only once another call has come (or after 5 s), as a slow daemon might. */
  readonly holdPing?: boolean;
}

/** A decoded request (plain object) and the path it was made to. */
export interface Call {
  readonly method: string;
  readonly request: Record<string, unknown>;
  /** Solve and ReadFile of the context's `.dockerignore`, which the frontend reads beside the build file. */
  readonly ignoreFile?: boolean;
}

export interface FakeRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly calls: Call[];
  /** The ReturnRequest, decoded. */
  readonly returned?: Record<string, unknown>;
  /** Solved Definitions' ops (pb.Op, decoded), by the ref id Solve answered with. */
  readonly solved: Map<string, Record<string, unknown>[]>;
  /** With holdPing: the calls that came while the Ping waited for its answer. */
  readonly beforePong: string[];
}

function frame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

class CallError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function runFrontend(build: FakeBuild): Promise<FakeRun> {
  const env: Record<string, string> = { ...process.env, NO_COLOR: '1', BUILDKIT_SESSION_ID: 'fake-session' } as Record<string, string>;
  for (const [k] of Object.entries(env)) if (k.startsWith('BUILDKIT_FRONTEND_OPT_')) delete env[k];
  (build.opts ?? []).forEach((o, i) => (env[`BUILDKIT_FRONTEND_OPT_${i}`] = o));
  if (build.workers) env.BUILDKIT_WORKERS = build.workers;
  const child = spawn(process.execPath, [llbcBin, 'frontend'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const calls: Call[] = [];
  const solved = new Map<string, Record<string, unknown>[]>();
  let returned: Record<string, unknown> | undefined;
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));

  const answer = (method: string, request: Record<string, unknown>): Uint8Array => {
    switch (method) {
      case 'Ping':
        return frontendType('PongResponse').encode({
          FrontendAPICaps: [{ ID: 'solve.base', Enabled: true }, { ID: 'return', Enabled: true }],
          LLBCaps: [{ ID: 'source.local', Enabled: true }],
          Workers: [{ ID: 'w0', platforms: [{ OS: 'linux', Architecture: 'arm64' }] }],
        }).finish();
      case 'Solve': {
        const def = request.Definition as { def: Uint8Array[] } | undefined;
        const ops = (def?.def ?? []).map((op) => decodeAs('pb.Op', op));
        const isBuildFile = ops.some((op) => String((op.source as { identifier?: string })?.identifier).startsWith('local://dockerfile'));
        if (!isBuildFile && build.solveError) throw new CallError(build.solveError.code, build.solveError.message);
        const id = `ref-${solved.size}`;
        solved.set(id, ops);
        return frontendType('SolveResponse').encode({ result: { ref: { id } } }).finish();
      }
      case 'ReadFile': {
        const ops = solved.get(request.Ref as string);
        const source = ops?.find((op) => op.source)?.source as { identifier: string; attrs: Record<string, string> } | undefined;
        const files = { 'local://dockerfile': build.files, 'local://context': build.context ?? {} }[source?.identifier ?? ''];
        if (!source || !files || !source.attrs['local.followpaths']) throw new CallError(3, `no such ref ${request.Ref as string}`);
        const follow = JSON.parse(source.attrs['local.followpaths']) as string[];
        const path = request.FilePath as string;
        const text = files[path];
        if (text === undefined || !follow.includes(path)) throw new CallError(2, `open ${path}: no such file or directory`);
        return frontendType('ReadFileResponse').encode({ Data: Buffer.from(text) }).finish();
      }
      case 'ResolveImageConfig': {
        const image = build.images?.[request.Ref as string];
        if (!image) throw new CallError(2, `${request.Ref as string}: not found`);
        return frontendType('ResolveImageConfigResponse').encode({ Digest: image.digest, Config: Buffer.from(JSON.stringify(image.config)) }).finish();
      }
      case 'Return':
        returned = request;
        return frontendType('ReturnResponse').encode({}).finish();
      default:
        throw new CallError(12, `unknown method ${method}`);
    }
  };

  const beforePong: string[] = [];
  let releasePing: (() => void) | undefined;
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const method = String(headers[':path']).replace('/moby.buildkit.v1.frontend.LLBBridge/', '');
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      let status = 0;
      let message = '';
      let reply: Uint8Array | undefined;
      try {
        if (headers['content-type'] !== 'application/grpc' || headers.te !== 'trailers') throw new CallError(3, 'not a gRPC request');
        if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) throw new CallError(13, 'bad frame');
        const requestType = frontendType(`${method === 'Ping' ? 'Ping' : method}Request`);
        const request = requestType.toObject(requestType.decode(body.subarray(5)), { longs: Number, arrays: true });
        calls.push({ method, request, ignoreFile: isIgnoreFileCall(method, request) });
        reply = answer(method, request);
        if (method !== 'Ping' && releasePing) {
          beforePong.push(method);
          releasePing();
        }
      } catch (e) {
        status = e instanceof CallError ? e.code : 13;
        message = (e as Error).message;
      }
      const respond = () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers(status === 0 ? { 'grpc-status': '0' } : { 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) }));
        stream.end(reply ? frame(reply) : undefined);
      };
      if (method !== 'Ping' || !build.holdPing) return respond();
      const timer = setTimeout(() => releasePing?.(), 5000);
      releasePing = () => {
        releasePing = undefined;
        clearTimeout(timer);
        respond();
      };
    });
  });
  server.emit('connection', Duplex.from({ readable: child.stdout, writable: child.stdin }));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      server.close();
      resolve({ code, stderr, calls, returned, solved, beforePong });
    });
  });
}

function isIgnoreFileCall(method: string, request: Record<string, unknown>): boolean {
  if (method === 'ReadFile') return request.FilePath === '.dockerignore';
  if (method !== 'Solve') return false;
  const def = request.Definition as { def: Uint8Array[] } | undefined;
  return (def?.def ?? []).some((op) => {
    const source = decodeAs('pb.Op', op).source as { identifier?: string; attrs?: Record<string, string> } | undefined;
    return source?.identifier === 'local://context' && source.attrs?.['local.followpaths'] === '[".dockerignore"]';
  });
}

/** The methods called, without the reads of `.dockerignore`. */
export function methods(run: FakeRun): string[] {
  return run.calls.filter((c) => !c.ignoreFile).map((c) => c.method);
}

/** The metadata of a returned result, each value as text. */
export function returnedMetadata(run: FakeRun): Record<string, string> {
  const result = run.returned?.result as { metadata?: Record<string, Uint8Array> } | undefined;
  return Object.fromEntries(Object.entries(result?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
}
