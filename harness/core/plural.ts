/** "1 run", "2 runs", "3 retries": a count with its noun. */
export function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${word.endsWith('y') ? `${word.slice(0, -1)}ie` : word}s`;
}
