// Arithmetic mean with R's second pass (the mean of the residuals is added back), which recovers
// most of the rounding error of a plain sum, so results agree with R's mean() to the last digits.
export function mean(values: readonly number[]): number {
  const first = values.reduce((s, v) => s + v, 0) / values.length;
  return first + values.reduce((s, v) => s + (v - first), 0) / values.length;
}
