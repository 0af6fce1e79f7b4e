/**
 * "Did you mean …?" for a mistyped key: the closest known key by edit distance, comparing
 * spellings with case, '-' and '_' ignored (log_level, LogLevel and log-level all mean logLevel).
 */

export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const wanted = normalize(unknown);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Close enough to be a typo, not a different word: about one edit per three letters.
  return bestDistance <= Math.max(1, Math.floor(wanted.length / 3)) ? best : undefined;
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance with one row of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_unused, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The known key a mistyped or misplaced one most likely meant: the same key spelled
 * differently (log_level), a key put in the wrong section (port for listen.port), or a typo
 * of either (listen.prot, maxSesions).
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const wanted = normalize(unknown);
  const same = known.find((candidate) => normalize(candidate) === wanted);
  if (same !== undefined) return same;
  const lastOf = (key: string) => key.slice(key.lastIndexOf('.') + 1);
  const wantedLast = normalize(lastOf(unknown));
  const moved = known.find((candidate) => normalize(lastOf(candidate)) === wantedLast);
  if (moved !== undefined) return moved;
  const typo = closestKey(unknown, known);
  if (typo !== undefined) return typo;
  const lastTypo = closestKey(lastOf(unknown), known.map(lastOf));
  return lastTypo === undefined ? undefined : known.find((candidate) => lastOf(candidate) === lastTypo);
}
