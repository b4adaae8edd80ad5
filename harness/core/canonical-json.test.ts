import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { compareBytes, jsonDigest, sameDigest, selfDigestMatches, withSelfDigest } from './digest.js';
import { HarnessError } from './errors.js';

// Expected digests are computed here from literal text, never through the code under test.
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

// An IEEE 754 double from its bit pattern, as RFC 8785 Appendix B lists its test values.
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('canonicalizes the RFC 3.2.2 example (whitespace, numbers, string escapes)', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts keys by UTF-16 code units (RFC 3.2.3 example), not by code points or bytes', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    // The emoji (surrogates D83D DE00) sorts before U+FB33, although its code point is larger.
    expect(canonicalJson(JSON.parse(input))).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts integer-like keys as strings, not in JavaScript property order', () => {
    expect(canonicalJson({ a: 3, 9: 2, 10: 1 })).toBe('{"10":1,"9":2,"a":3}');
    expect(canonicalJson({ b: { 2: 'x', 10: 'y', B: 'z' } })).toBe('{"b":{"10":"y","2":"x","B":"z"}}');
  });

  it('formats numbers like ECMAScript (RFC Appendix B)', () => {
    const table: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'], // -0
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of table) expect([bits, canonicalJson(double(bits))]).toEqual([bits, text]);
    expect(canonicalJson([1e21, 1e20, 1e-7, 1e-6, -0, 1.0, 100])).toBe('[1e+21,100000000000000000000,1e-7,0.000001,0,1,100]');
    expect(canonicalJson(JSON.parse('[1E21, 1E-7, -0.0, 4.50]'))).toBe('[1e+21,1e-7,0,4.5]');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(NaN)).toThrow();
    expect(() => canonicalJson([Infinity])).toThrow();
    expect(() => canonicalJson({ s: 'lone \ud800 surrogate' })).toThrow();
    expect(() => canonicalJson(undefined)).toThrow(HarnessError);
  });

  it('escapes control characters with short forms or lowercase \\u00xx, and nothing else', () => {
    expect(canonicalJson('\b\t\n\f\r\u0000\u001f"\\/é€😀\u2028\u007f')).toBe(
      String.raw`"\b\t\n\f\r\u0000\u001f\"\\/é€😀` + '\u2028\u007f"',
    );
  });
});

describe('jsonDigest', () => {
  it('is the sha256 of the canonical text', () => {
    const value = { z: [1, 2.5, 'é'], a: { 10: true, 9: null }, m: 1e21 };
    const canonical = '{"a":{"10":true,"9":null},"m":1e+21,"z":[1,2.5,"é"]}';
    expect(canonicalJson(value)).toBe(canonical);
    expect(jsonDigest(value)).toEqual({ sha256: sha256(canonical) });
    // Key order and whitespace of the source do not matter.
    expect(jsonDigest(JSON.parse('{ "m": 1E21, "z": [1, 2.50, "\\u00e9"], "a": {"9": null, "10": true} }'))).toEqual(jsonDigest(value));
  });
});

describe('withSelfDigest / selfDigestMatches', () => {
  const doc = { schemaVersion: 1, runId: 'r1', seed: 42, pins: { b: 'x', a: 'y' } };

  it('digests every other field canonically and replaces a stale digest', () => {
    const stamped = withSelfDigest({ ...doc, digest: { sha256: '0'.repeat(64) } });
    expect(stamped.digest).toEqual({ sha256: sha256('{"pins":{"a":"y","b":"x"},"runId":"r1","schemaVersion":1,"seed":42}') });
    expect(selfDigestMatches(stamped)).toBe(true);
  });

  it('detects a tampered field, an added field and a tampered digest', () => {
    const stamped = withSelfDigest(doc);
    expect(selfDigestMatches({ ...stamped, seed: 43 })).toBe(false);
    expect(selfDigestMatches({ ...stamped, pins: { ...stamped.pins, a: 'z' } })).toBe(false);
    expect(selfDigestMatches({ ...stamped, extra: true })).toBe(false);
    expect(selfDigestMatches({ ...stamped, digest: { sha256: stamped.digest.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')) } })).toBe(false);
  });
});

describe('compareBytes', () => {
  it('orders by UTF-8 bytes, which differs from UTF-16 order above the BMP', () => {
    const names = ['é', 'a', 'Z.txt', 'B', '\ufb33', '😀', 'dir/x', 'dir x'];
    expect([...names].sort(compareBytes)).toEqual(['B', 'Z.txt', 'a', 'dir x', 'dir/x', 'é', '\ufb33', '😀']);
    expect([...names].sort()).not.toEqual([...names].sort(compareBytes));
  });
});

describe('sameDigest', () => {
  it('is true only for two digests with the same hex: a missing digest never matches, not even another missing one', () => {
    const a = { sha256: sha256('a') };
    expect(sameDigest(a, { sha256: sha256('a') })).toBe(true);
    expect(sameDigest(a, { sha256: sha256('b') })).toBe(false);
    expect(sameDigest(a, undefined)).toBe(false);
    expect(sameDigest(undefined, undefined)).toBe(false);
  });
});
