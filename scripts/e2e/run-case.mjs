// One case: compile its build file with llbc, build the Definition with buildctl, check the output.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compareOutput } from './check.mjs';
import { buildPlatforms, compareImages, compareTrees, compareWithReference, frontendArgs, platformFolder, readOciImages, subtree } from './frontend.mjs';
import { run } from './procs.mjs';
import { readFolder, readTar } from './tree.mjs';

/** A throwaway private key for buildctl's SSH agent, made once per run. */
function sshKey(ctx) {
  const file = join(ctx.tmp, 'ssh-key.pem');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return file;
}

function lastLines(text, n = 12) {
  return text.trimEnd().split('\n').slice(-n).map((l) => `    | ${l}`).join('\n');
}

/** llbc's options for one build of a case (for one platform). */
function llbcArgs(c, b, platform = b.platform) {
  const args = ['build', buildFileOf(c, b), ...(b.llbc ?? [])];
  for (const [k, v] of Object.entries(b.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  if (b.target) args.push('--target', b.target);
  if (platform) args.push('--platform', platform);
  return args;
}

function buildFileOf(c, b) {
  return b.buildFile ? join(c.dir, b.buildFile) : c.buildFile;
}

/** `buildctl build` options for one build of a case, writing `output` (buildctl's --output value). */
function buildctlArgs(ctx, c, b, output) {
  const args = ['--addr', ctx.addr, 'build', '--progress', 'plain', '--local', `context=${c.context ?? ctx.emptyDir}`];
  args.push('--output', output);
  for (const [id, file] of Object.entries(b.secrets)) args.push('--secret', `id=${id},src=${join(c.dir, file)}`);
  for (const id of b.ssh ?? []) args.push('--ssh', `${id}=${sshKey(ctx)}`);
  for (const e of b.allow ?? []) args.push('--allow', e);
  return [...args, ...(b.buildctl ?? [])];
}

/** An expected failure happened where and as the case says, or a message saying how it did not. */
function checkFailure(c, at, output) {
  const want = c.spec.fails;
  if (!want) return [`${at === 'llbc' ? 'llbc' : 'the build'} failed:\n${lastLines(output)}`];
  if (want.at !== at) return [`expected to fail at ${want.at}, but ${at} failed:\n${lastLines(output)}`];
  const missing = [want.message ?? []].flat().filter((m) => !output.includes(m));
  if (missing.length) return [`failed at ${at} as expected, but without ${missing.map((m) => JSON.stringify(m)).join(' and ')}:\n${lastLines(output)}`];
  return [];
}

/** The local or tar export of one build: out is the file or folder. */
function exportOf(b, out) {
  return b.output === 'tar' ? `type=tar,dest=${out}` : `type=local,dest=${out}`;
}

async function readExport(b, out) {
  return b.output === 'tar' ? readTar(out) : readFolder(out);
}

/** llbc | buildctl build, for one platform: { tree } or { problems }. */
async function buildPiped(ctx, c, b, out, platform) {
  const compiled = await run(process.execPath, [ctx.llbc, ...llbcArgs(c, b, platform)]);
  if (compiled.code !== 0) return { problems: checkFailure(c, 'llbc', compiled.stderr) };
  const built = await run(ctx.buildctl, buildctlArgs(ctx, c, b, exportOf(b, out)), { input: compiled.stdout });
  if (built.timedOut) return { problems: [`${out}: timed out:\n${lastLines(built.stderr)}`] };
  if (built.code !== 0) return { problems: checkFailure(c, 'build', built.stderr) };
  return { tree: await readExport(b, out) };
}

/** A build through the frontend, reached as `mode` says, with this output: buildctl's result. */
async function frontendBuild(ctx, c, b, mode, output) {
  return run(ctx.buildctl, [...buildctlArgs(ctx, c, b, output), ...frontendArgs(mode, buildFileOf(c, b), b)]);
}

/**
 * One build through the frontend, for each way of reaching it: its files (as llbc | buildctl
 * builds them for each platform, unless `pipe` is false), its images' configurations (from an
 * OCI export, if `image` says), and a push (if `push` names a repository). { tree } of the last
 * way, or { problems }; a build the case expects to fail must fail so each way.
 */
async function buildThroughFrontend(ctx, c, b, out) {
  const platforms = buildPlatforms(b);
  const multi = platforms.length > 1;
  if (c.spec.fails) {
    const problems = [];
    for (const mode of b.frontend) {
      const built = await frontendBuild(ctx, c, b, mode, exportOf(b, `${out}-${mode}`));
      problems.push(...(built.code === 0 ? ['expected to fail at build, but it succeeded'] : checkFailure(c, 'build', built.stderr)).map((p) => `frontend (${mode}): ${p}`));
    }
    return { problems, failedAsExpected: problems.length === 0 };
  }
  const piped = new Map();
  if (b.pipe !== false) {
    for (const p of platforms) {
      const r = await buildPiped(ctx, c, b, `${out}-pipe-${platformFolder(p)}`, p);
      if (r.problems) return { problems: r.problems.map((m) => `llbc | buildctl (${p}): ${m}`) };
      piped.set(p, r.tree);
    }
  }
  const problems = [];
  let tree;
  let reference;
  for (const mode of b.frontend) {
    const label = `frontend (${mode})`;
    const dest = `${out}-${mode}`;
    const built = await frontendBuild(ctx, c, b, mode, exportOf(b, dest));
    if (built.timedOut) return { problems: [`${label}: timed out:\n${lastLines(built.stderr)}`] };
    if (built.code !== 0) return { problems: [`${label}: ${checkFailure(c, 'build', built.stderr).join('\n')}`] };
    tree = await readExport(b, dest);
    for (const [p, want] of piped) problems.push(...compareTrees(want, multi ? subtree(tree, platformFolder(p)) : tree, multi ? `${label} ${p}` : label));
    if (b.image) {
      const oci = `${dest}.oci.tar`;
      const exported = await frontendBuild(ctx, c, b, mode, `type=oci,dest=${oci}`);
      if (exported.code !== 0) return { problems: [`${label}: the OCI export failed:\n${lastLines(exported.stderr)}`] };
      const images = await readOciImages(oci);
      problems.push(...compareImages(images, b.image, platforms, `${label} image`));
      if (b.image.dockerfile) reference ??= await builtInImages(ctx, c, b, `${out}-dockerfile-v0`);
      if (reference?.problems) return { problems: reference.problems };
      if (reference) problems.push(...compareWithReference(images, reference.images, `${label} image`));
    }
  }
  if (b.push) {
    const pushed = await frontendBuild(ctx, c, b, b.frontend[0], `type=image,name=${ctx.registry}/${b.push},push=true,registry.insecure=true`);
    if (pushed.code !== 0) return { problems: [`pushing ${b.push} failed:\n${lastLines(pushed.stderr)}`] };
  }
  return problems.length ? { problems } : { tree };
}

/**
 * The images BuildKit's own Dockerfile frontend (dockerfile.v0, built in) makes of the build file
 * without its `# syntax=` line (which would hand it to llbc): { images } of its OCI export, or { problems }.
 */
async function builtInImages(ctx, c, b, out) {
  const file = buildFileOf(c, b);
  mkdirSync(out, { recursive: true });
  const copy = join(out, basename(file));
  writeFileSync(copy, readFileSync(file, 'utf8').replace(/^#\s*syntax\s*=.*\n/i, ''));
  const oci = `${out}.oci.tar`;
  const args = [...buildctlArgs(ctx, c, b, `type=oci,dest=${oci}`), ...frontendArgs('syntax', copy, b)];
  const built = await run(ctx.buildctl, args);
  if (built.code !== 0) return { problems: [`BuildKit's dockerfile.v0 failed on the same file:\n${lastLines(built.stderr)}`] };
  return { images: await readOciImages(oci) };
}

/** Builds a case (each of its builds in turn) and returns the problems found, none if it passed. */
export async function runCase(ctx, c) {
  const outDir = join(ctx.tmp, 'out', c.name);
  mkdirSync(outDir, { recursive: true });
  for (const [name, folder] of Object.entries(c.spec.images ?? {})) await ctx.pushImage(join(c.dir, folder), [name], { base: 'alpine' });
  let tree;
  for (const [i, b] of c.builds.entries()) {
    const out = join(outDir, `build${i + 1}${b.output === 'tar' ? '.tar' : ''}`);
    const r = b.frontend?.length ? await buildThroughFrontend(ctx, c, b, out) : await buildPiped(ctx, c, b, out);
    if (r.failedAsExpected) return [];
    if (r.problems) return r.problems;
    tree = r.tree;
  }
  if (c.spec.fails) return [`expected to fail at ${c.spec.fails.at}, but it succeeded`];
  return compareOutput(c, tree);
}
