/**
 * Ordinary least squares: the coefficients `β` minimising `Σ (y − X·β)²`, from the normal equations `XᵀX·β = Xᵀy`
 * solved by Gauss-Jordan elimination with partial pivoting. Small systems only (the model has four unknowns).
 * @throws if the columns of `rows` are linearly dependent (the data cannot tell the coefficients apart)
 */
export function leastSquares(rows: readonly (readonly number[])[], y: readonly number[]): number[] {
  const width = rows[0]?.length ?? 0;
  if (rows.length !== y.length || rows.length < width || width === 0) {
    throw new Error(`least squares needs at least as many observations as unknowns (${rows.length} rows, ${width} unknowns)`);
  }
  const column = (j: number): number[] => rows.map((row) => row[j] ?? 0);
  const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);
  // the augmented normal equations [XᵀX | Xᵀy], one array per equation
  const system: number[][] = Array.from({ length: width }, (_, i) => [
    ...Array.from({ length: width }, (_, j) => dot(column(i), column(j))),
    dot(column(i), y),
  ]);
  const at = (row: number, col: number): number => system[row]?.[col] ?? 0;
  for (let pivot = 0; pivot < width; pivot++) {
    let best = pivot;
    for (let row = pivot + 1; row < width; row++) if (Math.abs(at(row, pivot)) > Math.abs(at(best, pivot))) best = row;
    const pivotRow = system[best] ?? [];
    system[best] = system[pivot] ?? [];
    system[pivot] = pivotRow;
    const lead = at(pivot, pivot);
    if (Math.abs(lead) < 1e-12) throw new Error('least squares: the data cannot tell the coefficients apart (singular system)');
    system.forEach((equation, row) => {
      if (row === pivot) return;
      const factor = (equation[pivot] ?? 0) / lead;
      for (let k = pivot; k <= width; k++) equation[k] = (equation[k] ?? 0) - factor * (pivotRow[k] ?? 0);
    });
  }
  return system.map((_, i) => at(i, width) / at(i, i));
}
