import type { Platform } from './platform.js';
import type * as pb from '../wire/messages.generated.js';

/** Where an op came from in the build file: 1-based line ranges, as BuildKit's source maps take them. */
export interface SourceLocation {
  readonly sourceIndex: number;
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
}

/** The pb.OpMetadata an op contributes to the Definition. */
export interface OpMetadata {
  caps: Record<string, boolean>;
  description?: Record<string, string>;
}

/**
 * Go's llb.Constraints: the marshal-wide defaults (platform, local unique id) and, per op,
 * what that op overrides or adds (platform, caps, description, source locations).
 */
export interface Constraints {
  platform?: Platform;
  localUniqueID?: string;
  metadata: OpMetadata;
  sourceLocations: readonly SourceLocation[];
}

const noLocations: readonly SourceLocation[] = [];
const noCaps: Readonly<Record<string, boolean>> = Object.freeze({});

export function newConstraints(init: Partial<Constraints> = {}): Constraints {
  const metadata = init.metadata;
  return {
    platform: init.platform,
    localUniqueID: init.localUniqueID,
    // Caps are added to as an op marshals, so they are copied; descriptions are only replaced.
    metadata: { caps: { ...(metadata?.caps ?? noCaps) }, description: metadata?.description },
    // Location lists are never changed, so one empty list serves every op without debug info.
    sourceLocations: init.sourceLocations ?? noLocations,
  };
}

/**
 * Go's llb.WithCustomName(name) with llb.Location for lines start to end of source 0: an op's
 * debug info. The objects are made when the op reads them, at marshal time, so that until then
 * each op of a large graph carries one small object instead of six.
 */
export class StepConstraints implements Partial<Constraints> {
  constructor(
    readonly name: string | undefined,
    readonly startLine: number,
    readonly endLine: number,
    /** Dockerfile's `com.docker.dockerfile.v1.command` description, where the frontend sets one. */
    readonly command?: string,
  ) {}

  get metadata(): OpMetadata {
    const description: Record<string, string> = {};
    if (this.command !== undefined) description['com.docker.dockerfile.v1.command'] = this.command;
    if (this.name !== undefined) description['llb.customname'] = this.name;
    return { caps: noCaps, description };
  }

  get sourceLocations(): readonly SourceLocation[] {
    return [{ sourceIndex: 0, ranges: [{ start: this.startLine, end: this.endLine }] }];
  }
}

export function addCap(c: Constraints, cap: string): void {
  c.metadata.caps[cap] = true;
}

export function mergeMetadata(a: OpMetadata | undefined, b: OpMetadata): OpMetadata {
  const caps = { ...(a?.caps ?? {}), ...b.caps };
  const description = a?.description || b.description ? { ...(a?.description ?? {}), ...(b.description ?? {}) } : undefined;
  return description ? { caps, description } : { caps };
}

/** pb.Platform as an op carries it. */
export type PbPlatform = Required<Pick<pb.Platform, 'Architecture' | 'OS' | 'Variant'>>;

/** The pb.Op fields every op carries, resolved against the marshal-wide constraints. */
export function marshalConstraints(base: Constraints, override: Constraints): { platform: PbPlatform; metadata: OpMetadata } {
  const p = override.platform ?? base.platform ?? { os: 'linux', architecture: 'amd64' };
  return {
    platform: { Architecture: p.architecture, OS: p.os, Variant: p.variant ?? '' },
    // The marshal-wide constraints rarely carry metadata; an op's own is then used as it is.
    metadata: isEmptyMetadata(base.metadata) ? override.metadata : mergeMetadata(base.metadata, override.metadata),
  };
}

function isEmptyMetadata(m: OpMetadata): boolean {
  if (m.description) return false;
  for (const _ in m.caps) return false;
  return true;
}
