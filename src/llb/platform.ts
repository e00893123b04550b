// OCI platform specifiers with the semantics of containerd's platforms.Parse
// followed by platforms.Normalize, which is what BuildKit applies to
// --platform values before they reach LLB.

import { joinPath } from './path.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export class PlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformError';
  }
}

// containerd's component rules: the OS may not contain '.', the others may.
const OS_COMPONENT = /^[A-Za-z0-9_-]+$/;
const COMPONENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses "os/arch[/variant]" and returns it normalized, e.g. "linux/arm"
 * gives linux/arm/v7 and "linux/aarch64" gives linux/arm64.
 *
 * Unlike containerd, a lone OS or architecture is rejected (filling in the
 * other half from the host would make output host-dependent), as are the
 * Windows "os(version)" form and wildcards.
 */
export function parsePlatform(spec: string): Platform {
  const parts = spec.split('/');
  if (parts.length < 2) {
    throw new PlatformError(`invalid platform "${spec}": expected os/arch[/variant], e.g. linux/amd64`);
  }
  if (parts.length > 3) {
    throw new PlatformError(`invalid platform "${spec}": too many components, expected os/arch[/variant]`);
  }
  const names = ['operating system', 'architecture', 'variant'];
  parts.forEach((part, i) => {
    if (part === '') throw new PlatformError(`invalid platform "${spec}": empty ${names[i]}`);
    const re = i === 0 ? OS_COMPONENT : COMPONENT;
    if (!re.test(part)) {
      const allowed = i === 0 ? 'letters, digits, "_" and "-"' : 'letters, digits, "_", "." and "-"';
      throw new PlatformError(`invalid platform "${spec}": ${names[i]} "${part}" may only contain ${allowed}`);
    }
  });
  // containerd's Parse adjusts the variant (dropping arm's v7, adding arm64's
  // v8) but Normalize undoes both, so normalizing the raw parts is equivalent.
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2] });
}

/** os/arch[/variant], like containerd's platforms.Format. */
export function formatPlatform(p: Platform): string {
  if (p.os === '') return 'unknown';
  return joinPath(p.os, p.architecture, p.variant ?? '');
}

/**
 * containerd's Normalize. An empty OS is left empty rather than replaced by
 * the host's, so results do not depend on where we run.
 */
export function normalizePlatform(p: Platform): Platform {
  let os = p.os.toLowerCase();
  if (os === 'macos') os = 'darwin';
  let arch = p.architecture.toLowerCase();
  let variant = (p.variant ?? '').toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8') variant = '';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  return variant === '' ? { os, architecture: arch } : { os, architecture: arch, variant };
}
