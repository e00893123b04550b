// Cases: fixtures/e2e/NAME/ with a build file, an optional context/ and expected/, and case.json.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FRONTEND_MODES } from './frontend.mjs';
import { SetupError } from './host.mjs';

/** What case.json may say, and the type of each value. */
const KEYS = {
  description: 'string',
  buildFile: 'string', // the build file, relative to the case's folder (default build.llb)
  llbc: 'string[]', // more llbc options, e.g. ["--copy", "file"]
  buildArgs: 'object', // NAME -> value, given to llbc as --build-arg NAME=value
  target: 'string',
  platform: 'string',
  secrets: 'object', // id -> file in the case's folder, given to buildctl as --secret id=ID,src=FILE
  ssh: 'string[]', // ids of SSH agents, each given to buildctl with a fresh key as --ssh ID=KEY
  allow: 'string[]', // entitlements, given to buildctl as --allow
  buildctl: 'string[]', // any other buildctl build options
  output: 'string', // local (default) or tar
  builds: 'object[]', // several builds in a row, each overriding any of the keys above
  exactTree: 'boolean', // the output has no file beyond expected/ (default true)
  files: 'object', // path -> { type, mode, uid, gid, target } checked in the output
  absent: 'string[]', // paths the output must not have
  fails: 'object', // { at: "llbc" | "build", message } the build is expected to fail so (message: one string or several)
  images: 'object', // name -> folder in the case's folder, pushed over the stand-in alpine first
  frontend: 'string[]', // build through llbc as a frontend: "gateway" (gateway.v0) and/or "syntax" (dockerfile.v0 and `# syntax=`)
  pipe: 'boolean', // false: a frontend build's files are not compared with those of llbc | buildctl
  image: 'object', // { platforms, config, byPlatform, dockerfile }: the image configuration(s) a frontend build's OCI export must have (dockerfile: true, also those dockerfile.v0 makes of the file)
  push: 'string', // a repository of the local registry (e.g. library/app:latest) the frontend build's image is pushed to
};
const PER_BUILD = ['buildFile', 'llbc', 'buildArgs', 'target', 'platform', 'secrets', 'ssh', 'allow', 'buildctl', 'output', 'frontend', 'pipe', 'image', 'push'];

function typeOf(v) {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? 'string[]' : v.every((x) => x && typeof x === 'object') ? 'object[]' : 'array';
  return v === null ? 'null' : typeof v;
}

function validate(name, spec, where = 'case.json') {
  const problems = [];
  for (const [k, v] of Object.entries(spec)) {
    if (!(k in KEYS)) problems.push(`${where}: unknown key "${k}"`);
    else if (typeOf(v) !== KEYS[k] && !(KEYS[k] === 'object[]' && Array.isArray(v) && v.length === 0)) problems.push(`${where}: "${k}" must be ${KEYS[k]}`);
  }
  if (spec.output !== undefined && !['local', 'tar'].includes(spec.output)) problems.push(`${where}: "output" must be "local" or "tar"`);
  if (spec.fails && !['llbc', 'build'].includes(spec.fails.at)) problems.push(`${where}: "fails.at" must be "llbc" or "build"`);
  for (const m of spec.frontend ?? []) if (!FRONTEND_MODES.includes(m)) problems.push(`${where}: "frontend" modes are ${FRONTEND_MODES.join(' and ')}, not "${m}"`);
  for (const [i, b] of (spec.builds ?? []).entries()) {
    for (const k of Object.keys(b)) if (!PER_BUILD.includes(k)) problems.push(`${where}: builds[${i}] cannot set "${k}"`);
    problems.push(...validate(name, b, `${where} builds[${i}]`).filter((p) => !p.includes('unknown key')));
  }
  return problems;
}

/** The builds of a case, each with the case's settings and its own overrides (build args merged). */
function buildsOf(spec) {
  const base = Object.fromEntries(PER_BUILD.filter((k) => k in spec).map((k) => [k, spec[k]]));
  return (spec.builds?.length ? spec.builds : [{}]).map((b) => ({
    ...base,
    ...b,
    buildArgs: { ...base.buildArgs, ...b.buildArgs },
    secrets: { ...base.secrets, ...b.secrets },
  }));
}

/** One case, or an error naming it. */
export function loadCase(dir, name) {
  const caseDir = join(dir, name);
  const specFile = join(caseDir, 'case.json');
  let spec = {};
  try {
    if (existsSync(specFile)) spec = JSON.parse(readFileSync(specFile, 'utf8'));
  } catch (e) {
    throw new SetupError(`${name}: case.json: ${e.message}`);
  }
  const problems = validate(name, spec);
  const buildFile = join(caseDir, spec.buildFile ?? 'build.llb');
  const builds = buildsOf(spec);
  if (!existsSync(buildFile) && builds.some((b) => !b.buildFile)) problems.push(`no build file ${spec.buildFile ?? 'build.llb'}`);
  for (const [i, b] of builds.entries()) {
    const frontendOnly = ['pipe', 'image', 'push'].filter((k) => k in b);
    if (frontendOnly.length && !b.frontend?.length) problems.push(`build ${i + 1}: ${frontendOnly.join(', ')} need "frontend"`);
    if (b.buildFile && !existsSync(join(caseDir, b.buildFile))) problems.push(`build ${i + 1}: no build file ${b.buildFile}`);
  }
  if (problems.length) throw new SetupError(`${name}: ${problems.join('; ')}`);
  const context = join(caseDir, 'context');
  const expected = join(caseDir, 'expected');
  return {
    name,
    dir: caseDir,
    spec,
    buildFile,
    context: existsSync(context) ? context : undefined,
    expected: existsSync(expected) ? expected : undefined,
    builds,
  };
}

/** True if a build of the case goes through llbc as a frontend (whose image the run must then build). */
export function usesFrontend(c) {
  return c.builds.some((b) => b.frontend?.length);
}

/** The cases under `dir` (all, or those named), in name order. */
export function loadCases(dir, names = []) {
  const all = readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .sort();
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) throw new SetupError(`no such case: ${unknown.join(', ')} (cases: ${all.join(', ')})`);
  return (names.length ? names : all).map((n) => loadCase(dir, n));
}
