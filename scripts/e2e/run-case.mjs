// One case: compile its build file with llbc, build the Definition with buildctl, check the output.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareOutput } from './check.mjs';
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

/** llbc's options for one build of a case. */
function llbcArgs(c, b) {
  const args = ['build', c.buildFile, ...(b.llbc ?? [])];
  for (const [k, v] of Object.entries(b.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  if (b.target) args.push('--target', b.target);
  if (b.platform) args.push('--platform', b.platform);
  return args;
}

/** `buildctl build` options for one build of a case, writing to `out`. */
function buildctlArgs(ctx, c, b, out) {
  const args = ['--addr', ctx.addr, 'build', '--progress', 'plain', '--local', `context=${c.context ?? ctx.emptyDir}`];
  args.push('--output', b.output === 'tar' ? `type=tar,dest=${out}` : `type=local,dest=${out}`);
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
  if (want.message && !output.includes(want.message)) return [`failed at ${at} as expected, but without ${JSON.stringify(want.message)}:\n${lastLines(output)}`];
  return [];
}

/** Builds a case (each of its builds in turn) and returns the problems found, none if it passed. */
export async function runCase(ctx, c) {
  const outDir = join(ctx.tmp, 'out', c.name);
  mkdirSync(outDir, { recursive: true });
  for (const [name, folder] of Object.entries(c.spec.images ?? {})) await ctx.pushImage(join(c.dir, folder), [name], { base: 'alpine' });
  let out;
  let last;
  for (const [i, b] of c.builds.entries()) {
    const compiled = await run(process.execPath, [ctx.llbc, ...llbcArgs(c, b)]);
    if (compiled.code !== 0) return checkFailure(c, 'llbc', compiled.stderr);
    out = join(outDir, b.output === 'tar' ? `build${i + 1}.tar` : `build${i + 1}`);
    const built = await run(ctx.buildctl, buildctlArgs(ctx, c, b, out), { input: compiled.stdout });
    if (built.timedOut) return [`build ${i + 1} timed out:\n${lastLines(built.stderr)}`];
    if (built.code !== 0) return checkFailure(c, 'build', built.stderr);
    last = b;
  }
  if (c.spec.fails) return [`expected to fail at ${c.spec.fails.at}, but it succeeded`];
  const tree = last.output === 'tar' ? await readTar(out) : readFolder(out);
  return compareOutput(c, tree);
}
