/**
 * Holm's step-down adjustment (Holm 1979): controls the family-wise error rate of a set of tests with
 * no assumption about how they depend on each other. Adjusted pᵢ = max over the sorted prefix of
 * (m − rank)·p, capped at 1 — R's `p.adjust(p, "holm")`. Nulls (no test) are left out of the family.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const order = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null)
    .sort((a, b) => a.p - b.p);
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  order.forEach((entry, rank) => {
    running = Math.max(running, Math.min(1, (order.length - rank) * entry.p));
    adjusted[entry.index] = running;
  });
  return adjusted;
}
