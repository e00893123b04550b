import { Duplex } from 'node:stream';
import { compileTargetInPieces, definitionPieces, type CompileOptions, type CompiledTarget } from '../compile.js';
import { decodeSource, Diagnostic, renderDiagnostic, type SourceFile } from '../diagnostics.js';
import { formatPlatform, type Platform } from '../llb/platform.js';
import { local } from '../llb/source.js';
import type { BaseImage } from '../lower/compilation.js';
import { readDockerignore } from '../lower/dockerignore.js';
import { ImageConfigError, imageConfigJSON, parseImageConfig } from '../lower/imageconfig.js';
import { defaultPlatform } from '../options.js';
import { decodeGatewayMessage, LLBBridge, sourceDetail, type Pong, type Result, type Status } from '../wire/gateway.js';
import { GrpcClient, GrpcError, GrpcStatus } from '../wire/grpc.js';
import { frontendOptions, OptionError, readFrontendEnv, type FrontendEnv, type FrontendOptions } from './options.js';
import { Chalk } from 'chalk';

// `llbc frontend`: a BuildKit frontend. buildkitd runs it with the build's options in its
// environment and serves the gateway API (LLBBridge) on its stdin and stdout; it reads the
// build file from the client's `dockerfile` local, compiles it for each platform asked for,
// with every base image's configuration resolved through the daemon, solves, and returns the
// result with each platform's image configuration. The steps follow BuildKit's own
// Dockerfile frontend (dockerfile.v0), so that a client sees the same options and results.

/**
 * Runs the frontend over this process's stdin and stdout, and ends the process. It ends
 * without closing the connection first: buildkitd cancels the frontend's process, and fails
 * the build, if the connection ends while the process still runs ("frontend grpc server
 * closed unexpectedly"), as it did when the session was closed before exiting.
 */
export async function runOverStdio(): Promise<never> {
  const grpc = GrpcClient.over(Duplex.from({ readable: process.stdin, writable: process.stdout }));
  const code = await runFrontend(new LLBBridge(grpc), readFrontendEnv(process.env), (s) => process.stderr.write(s));
  process.exit(code);
}

/**
 * One build through the bridge, ended by Return; 0 if it returned a result, 1 if an error.
 * The build file is asked for at once, beside the Ping rather than after it: a round trip
 * less on every build (only the worker's platform waits for the Ping's answer).
 */
export async function runFrontend(bridge: LLBBridge, env: FrontendEnv, log: (text: string) => void): Promise<number> {
  const pinged = bridge.ping();
  const building = build(bridge, env, pinged, log);
  // Awaited below once the Ping has answered; until then its failure must not go unhandled.
  building.catch(() => {});
  try {
    await pinged;
  } catch (e) {
    log(`llbc frontend: no BuildKit gateway on stdin and stdout (buildkitd runs this command): ${(e as Error).message}\n`);
    return 1;
  }
  let outcome: { result: Result } | { error: Status };
  try {
    outcome = { result: await building };
  } catch (e) {
    outcome = { error: errorStatus(e, log) };
  }
  await bridge.return(outcome);
  return 'result' in outcome ? 0 : 1;
}

async function build(bridge: LLBBridge, env: FrontendEnv, pinged: Promise<Pong>, log: (text: string) => void): Promise<Result> {
  const options = frontendOptions(env.opts);
  const [source, excludePatterns] = await Promise.all([readBuildFile(bridge, env, options), readIgnoreFile(bridge, env)]);
  const platforms = options.platforms.length > 0 ? options.platforms : [workerPlatform(env, await pinged)];
  const resolver = new ImageResolver(bridge, env, options);
  const built = await Promise.all(
    platforms.map(async (platform) => {
      const compileOptions: CompileOptions = {
        buildArgs: options.buildArgs,
        target: options.target,
        platform,
        debugInfo: true,
        contextSource: { sessionID: env.sessionID, sharedKeyHint: 'context', ...(excludePatterns.length > 0 ? { excludePatterns } : {}) },
      };
      const target = await compileResolved(source, compileOptions, resolver);
      for (const w of target.warnings) log(renderDiagnostic(w, new Chalk({ level: 0 })));
      const solved = await bridge.solve({ Definition: target.bytes, allowResultReturn: true, allowResultArrayRef: true });
      const ref = solved.ref?.id;
      if (ref === undefined) throw new Error('the daemon answered the build with no single result');
      return { platform, ref, config: imageConfigJSON(target.config) };
    }),
  );
  return result(built, options.multiPlatform || built.length > 1);
}

/**
 * The target, compiled with the configurations of the images its stages start FROM, which
 * lowering asks for, synchronously, as it reaches those stages: it is run until it asks for none
 * the resolver lacks, the Definition marshalled only then. That is twice for a file with images:
 * once to find them, all resolved at once, and again with them; a stage that a base image's ONBUILD
 * trigger reaches can ask for more. (Resolving every FROM line's image first would lower once,
 * but ask the daemon about stages the target does not use, which dockerfile.v0 does not.)
 */
async function compileResolved(source: SourceFile, options: CompileOptions, resolver: ImageResolver): Promise<CompiledTarget> {
  for (;;) {
    const missing: { ref: string; platform: Platform }[] = [];
    const baseImage = (ref: string, platform: Platform) => resolver.known(ref, platform) ?? void missing.push({ ref, platform });
    const { pieces, warnings, config } = compileTargetInPieces(source, { ...options, baseImage });
    if (missing.length === 0) return { bytes: Buffer.concat([...pieces]), warnings, config };
    await Promise.all(missing.map((m) => resolver.resolve(m.ref, m.platform)));
  }
}

/** The worker's platform, which BuildKit builds for when asked for none. */
function workerPlatform(env: FrontendEnv, pong: Pong): Platform {
  if (env.workerPlatforms.length > 0) return env.workerPlatforms[0];
  const p = pong.Workers[0]?.platforms[0];
  return p ? { os: p.OS, architecture: p.Architecture, ...(p.Variant ? { variant: p.Variant } : {}) } : defaultPlatform;
}

/**
 * The build file, as BuildKit's Dockerfile frontend reads its Dockerfile: a solve of the
 * client's local (only the file transferred, cached under a key shared between sessions),
 * then a read of the file from the result.
 */
async function readBuildFile(bridge: LLBBridge, env: FrontendEnv, options: FrontendOptions): Promise<SourceFile> {
  const { filename, dockerfileLocal } = options;
  try {
    return decodeSource(filename, await readLocalFile(bridge, env, dockerfileLocal, filename, dockerfileLocal, `load build definition from ${filename}`));
  } catch (e) {
    if (e instanceof GrpcError) throw new GrpcError(e.code, `failed to read ${filename} from the ${dockerfileLocal} local: ${e.message}`);
    throw e;
  }
}

/**
 * The exclude patterns of the context's `.dockerignore`, read as BuildKit's Dockerfile frontend
 * reads it (beside the build file), which the context's transfer then leaves out; none if there
 * is no such file.
 */
async function readIgnoreFile(bridge: LLBBridge, env: FrontendEnv): Promise<string[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readLocalFile(bridge, env, 'context', '.dockerignore', 'context-.dockerignore', 'load .dockerignore');
  } catch (e) {
    if (e instanceof GrpcError) return [];
    throw e;
  }
  return readDockerignore(Buffer.from(bytes).toString('utf8'));
}

/** One file of a client's local: the local solved with only that file, then the file read from the result. */
async function readLocalFile(bridge: LLBBridge, env: FrontendEnv, localName: string, path: string, sharedKeyHint: string, step: string): Promise<Uint8Array> {
  const st = local(localName, {
    sessionID: env.sessionID,
    sharedKeyHint,
    followPaths: [path],
    constraints: { metadata: { caps: {}, description: { 'llb.customname': `[internal] ${step}` } } },
  });
  const solved = await bridge.solve({ Definition: Buffer.concat([...definitionPieces(st, defaultPlatform)]), allowResultReturn: true, allowResultArrayRef: true });
  if (!solved.ref?.id) throw new Error(`the daemon answered the transfer of ${path} with no result`);
  return bridge.readFile(solved.ref.id, path);
}

function imageKey(ref: string, p: Platform): string {
  return `${ref} ${formatPlatform(p)}`;
}

/**
 * Base images' configurations, each asked of the daemon once per platform: the whole
 * configuration, which the stages that start from the image inherit by Dockerfile's rules,
 * and the digest it is of, which they build from.
 */
class ImageResolver {
  private readonly asked = new Map<string, Promise<BaseImage>>();
  private readonly answered = new Map<string, BaseImage>();

  constructor(
    private readonly bridge: LLBBridge,
    private readonly env: FrontendEnv,
    private readonly options: FrontendOptions,
  ) {}

  resolve(ref: string, platform: Platform): Promise<BaseImage> {
    const key = imageKey(ref, platform);
    let answer = this.asked.get(key);
    if (!answer) {
      answer = this.bridge
        .resolveImageConfig({
          Ref: ref,
          Platform: { OS: platform.os, Architecture: platform.architecture, Variant: platform.variant ?? '' },
          ResolveMode: this.options.imageResolveMode,
          LogName: `[internal] load metadata for ${ref}`,
          SessionID: this.env.sessionID,
        })
        .then(({ digest, config }) => {
          const image = { digest: digest || undefined, image: imageOf(ref, config) };
          this.answered.set(key, image);
          return image;
        });
      this.asked.set(key, answer);
    }
    return answer;
  }

  /** The configuration, if resolve() has answered with it. */
  known(ref: string, platform: Platform): BaseImage | undefined {
    return this.answered.get(imageKey(ref, platform));
  }
}

function imageOf(ref: string, config: Uint8Array): BaseImage['image'] {
  try {
    return parseImageConfig(Buffer.from(config).toString('utf8'));
  } catch (e) {
    if (e instanceof ImageConfigError) throw new ImageConfigError(`${ref}: ${e.message}`);
    throw e;
  }
}

/** The result as BuildKit's Dockerfile frontend returns it: one ref, or a ref per platform with their list. */
function result(built: { platform: Platform; ref: string; config: string }[], multiPlatform: boolean): Result {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  if (!multiPlatform) return { ref: { id: built[0].ref }, metadata: { 'containerimage.config': Buffer.from(built[0].config) } };
  const metadata: Record<string, Uint8Array> = {};
  const refs: Record<string, { id: string }> = {};
  for (const b of built) {
    const id = formatPlatform(b.platform);
    refs[id] = { id: b.ref };
    metadata[`containerimage.config/${id}`] = Buffer.from(b.config);
  }
  const list = built.map((b) => ({ ID: formatPlatform(b.platform), Platform: { architecture: b.platform.architecture, os: b.platform.os, ...(b.platform.variant ? { variant: b.platform.variant } : {}) } }));
  metadata['refs.platforms'] = json({ Platforms: list });
  return { refs: { refs }, metadata };
}

/**
 * The error Return hands the daemon, which its client prints: a build file's error with its
 * position, and the file and range as an errdefs.Source that clients show with the lines; a
 * daemon's error as it came.
 */
function errorStatus(e: unknown, log: (text: string) => void): Status {
  if (e instanceof Diagnostic) {
    if (!e.file) return { code: GrpcStatus.unknown, message: e.message };
    const start = e.file.position(e.offset);
    const end = e.file.position(e.offset + e.length);
    const range = { start: { line: start.line, character: start.column - 1 }, end: { line: end.line, character: end.column - 1 } };
    return {
      code: GrpcStatus.unknown,
      message: `${e.file.name}:${start.line}:${start.column}: ${e.message}`,
      details: [sourceDetail(e.file.name, Buffer.from(e.file.text, 'utf8'), [range])],
    };
  }
  if (e instanceof OptionError) return { code: GrpcStatus.invalidArgument, message: e.message };
  if (e instanceof ImageConfigError) return { code: GrpcStatus.unknown, message: e.message };
  if (e instanceof GrpcError) {
    if (e.details) {
      try {
        return decodeGatewayMessage<Status>('google.rpc.Status', e.details);
      } catch {
        // Not a Status: the message alone.
      }
    }
    return { code: e.code, message: e.message };
  }
  const err = e as Error;
  log(`llbc frontend: internal error: ${err?.stack ?? String(e)}\n`);
  return { code: GrpcStatus.internal, message: `llbc: internal error: ${err?.message ?? String(e)}` };
}
