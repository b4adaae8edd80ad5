import { describe, expect, it } from 'vitest';
import { pointerSegments } from './json-pointer.js';

describe('pointerSegments', () => {
  it('follows RFC 6901: the whole document, the key "", and ~1 / ~0 unescaped in that order', () => {
    expect(pointerSegments('')).toEqual([]);
    expect(pointerSegments('/')).toEqual(['']);
    expect(pointerSegments('/a~1b/m~0n/0')).toEqual(['a/b', 'm~n', '0']);
    expect(pointerSegments('/~01')).toEqual(['~1']);
  });
});
