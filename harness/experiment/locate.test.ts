import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativeInside } from './locate.js';

describe('relativeInside', () => {
  it('gives the path inside the folder, \'\' for the folder itself, undefined outside it', () => {
    expect(relativeInside('/exp', '/exp/tasks/T-1')).toBe(path.join('tasks', 'T-1'));
    expect(relativeInside('/exp', '/exp')).toBe('');
    expect(relativeInside('/exp', '/exp/tasks/../..')).toBeUndefined();
    expect(relativeInside('/exp', '/other')).toBeUndefined();
    expect(relativeInside('/exp/tasks', '/exp')).toBeUndefined();
  });

  it('counts a name that merely starts with two dots as inside', () => {
    expect(relativeInside('/exp', '/exp/..fixture')).toBe('..fixture');
    expect(relativeInside('/exp', '/exp/..')).toBeUndefined();
  });
});
