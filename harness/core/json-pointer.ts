/** The reference tokens of a JSON Pointer (RFC 6901), unescaped: '' is the whole document, '/' the key "". */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
