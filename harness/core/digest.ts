import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** A digest written with its algorithm, so a reader never has to guess. */
export interface Digest {
  sha256: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function digestOf(data: string | Uint8Array): Digest {
  return { sha256: sha256Hex(data) };
}

/** Digest of a JSON value over its RFC 8785 canonical form. */
export function jsonDigest(value: unknown): Digest {
  return digestOf(canonicalJson(value));
}

export function sameDigest(a: Digest | undefined, b: Digest | undefined): boolean {
  return a !== undefined && b !== undefined && a.sha256 === b.sha256;
}

/**
 * A document that carries its own digest: computed over the canonical form of every other field,
 * so the digest field can be checked by anyone with a JCS implementation.
 */
export function withSelfDigest<T extends object>(doc: T): T & { digest: Digest } {
  const { digest: _ignored, ...rest } = doc as T & { digest?: Digest };
  return { ...(rest as T), digest: jsonDigest(rest) };
}

export function selfDigestMatches<T extends { digest: Digest }>(doc: T): boolean {
  const { digest, ...rest } = doc;
  return jsonDigest(rest).sha256 === digest.sha256;
}

/**
 * `sha256sum` text-mode listing line. The directory digest is the sha256 of these lines for every
 * file, sorted by path bytes, so coreutils can recompute it (see DESIGN.md, Digests).
 */
export function sha256sumLine(hex: string, relPath: string): string {
  // GNU sha256sum escapes a name holding a backslash or newline and marks the line with a leading
  // backslash; doing the same keeps the listing (and so the digest) identical to coreutils'.
  if (!/[\\\n]/.test(relPath)) return `${hex}  ${relPath}\n`;
  return `\\${hex}  ${relPath.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
}

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
