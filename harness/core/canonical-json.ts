import canonicalize from 'canonicalize';
import { bug } from './errors.js';

// RFC 8785 (JCS) via a maintained implementation: a hand-rolled key sort gets integer-like keys
// and number formatting wrong, and every digest in the tool depends on this being exact.
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw bug('cannot canonicalize a value that is not JSON');
  return text;
}
