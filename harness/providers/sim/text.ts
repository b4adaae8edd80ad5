import { uniform, type DrawKey } from './draw.js';

// Sentences a chatty agent adds around its actions: plausible, harmless, and free of anything a
// check could mistake for task output.
const FILLER = [
  'I will keep the change as small as the task allows.',
  'Let me double-check this before moving on.',
  'This should not affect any other files in the workspace.',
  'I am following the instructions as written.',
  'To be thorough, I will verify the result afterwards.',
  'That matches what I expected from the description.',
  'I want to be careful not to break anything that already works.',
  'Next, I will continue with the remaining part of the task.',
];

// behaviour.verbosity multiplies the text's length: longer by appending seeded filler sentences,
// shorter by cutting at a word boundary. Empty text stays empty.
export function scaleText(text: string, verbosity: number, seed: number, key: DrawKey): string {
  if (text === '' || verbosity === 1) return text;
  const target = Math.max(1, Math.round(text.length * verbosity));
  if (target < text.length) return shorten(text, target);
  let out = text;
  for (let k = 0; out.length < target; k++) {
    out += ` ${FILLER[Math.floor(uniform(seed, ...key, 'pad', k) * FILLER.length)] ?? ''}`;
  }
  return out;
}

// Cut to about `target` characters without splitting a word when a word boundary is near.
function shorten(text: string, target: number): string {
  const cut = text.slice(0, target);
  const space = cut.lastIndexOf(' ');
  return (space > target / 2 ? cut.slice(0, space) : cut).trimEnd();
}
