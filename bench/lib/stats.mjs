/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value below which `fraction` of the samples fall (nearest rank). */
export function percentile(sortedValues, fraction) {
  if (sortedValues.length === 0) return NaN;
  return sortedValues[Math.min(sortedValues.length - 1, Math.ceil(fraction * sortedValues.length) - 1)];
}

/** Spread of the rounds around their median, as a percentage: (max - min) / median. */
export function spreadPercent(values) {
  return ((Math.max(...values) - Math.min(...values)) / median(values)) * 100;
}

/** Each round starts with a different case, so no case always runs first or last. */
export function rotate(list, by) {
  const shift = by % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}
