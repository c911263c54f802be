/**
 * The exact assignment a dispatch window is solved with: requests (rows) to free drivers (columns)
 * so that as many requests as possible get a driver and, among those matchings, the summed pickup
 * time is least.
 *
 * Algorithm: the Hungarian method (Kuhn–Munkres) with row and column potentials, adding one row at
 * a time along a shortest augmenting path (Dijkstra over the columns on reduced costs). With n rows
 * and m columns, n ≤ m (a taller matrix is solved transposed), that is O(n²·m) time and O(n·m)
 * memory. It is meant for what one window holds: up to a few hundred requests (or offer slots)
 * against up to about a thousand drivers. Measured as process CPU time (Node 20, on the shared
 * 2-core machine while other jobs ran), with pickup times between points spread over a 20 km square
 * and pairs beyond the search radius forbidden: 100 requests × 300 drivers, 1–2 ms; 100 requests ×
 * 3 offer slots (300 rows) × 300 drivers, 8–11 ms within 2 km and 20–30 ms within 10 km or with no
 * radius (a square matrix is the hardest shape); 300 × 1,000, about 12 ms; 1,000 × 1,000, about
 * 0.5 s, more than a window should be asked to hold.
 *
 * Forbidden pairs (any non-finite cost) are priced with a penalty larger than any difference
 * between feasible totals, so the optimum first uses as few of them as it can, and then they are
 * dropped. The penalty is kept symbolic rather than numeric: every cost is a pair (forbidden count,
 * finite cost) compared lexicographically, which is a penalty "larger than anything" that cannot
 * overflow or round away the finite part, however large the finite costs are. The Hungarian method
 * only adds, subtracts and compares costs, so it is exact over such pairs as over numbers.
 *
 * Why that maximises the number of assigned rows first: with n ≤ m every row gets some column, so a
 * complete assignment with F forbidden pairs leaves a matching of n − F allowed pairs once they are
 * dropped. Conversely any matching of k allowed pairs extends to a complete assignment with n − k
 * forbidden pairs (the unmatched rows take unused columns, and there are enough since m ≥ n). So
 * the least F is n minus the largest matching of allowed pairs, and the lexicographic optimum is,
 * among the largest matchings, one of least total cost.
 *
 * The finite parts are plain doubles, so totals are as exact as their floating-point sums. Ties are
 * broken by the order the columns are scanned in, which depends on the input alone: the same input
 * always gives the same output.
 */

/**
 * cost[i][j] = cost of giving row i column j; Infinity (or any non-finite) = not allowed.
 * Returns, for each row, the column assigned to it or -1, such that no column is used twice, the
 * number of assigned rows is as large as possible, and among those the total cost is least.
 */
export function minCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const columns = rows === 0 ? 0 : cost[0].length;
  for (const row of cost) {
    if (row.length !== columns) {
      throw new RangeError(`cost matrix rows differ in length (${row.length} and ${columns})`);
    }
  }
  if (rows === 0 || columns === 0) return new Array<number>(rows).fill(-1);

  const transposed = rows > columns;
  const n = transposed ? columns : rows;
  const m = transposed ? rows : columns;
  const matrix = flatten(cost, transposed, n, m);
  const columnOfRow = shortestAugmentingPaths(matrix, n, m);

  const result = new Array<number>(rows).fill(-1);
  for (let i = 0; i < n; i++) {
    const j = columnOfRow[i];
    if (matrix.forbidden[i * m + j] === 1) continue;
    if (transposed) result[j] = i;
    else result[i] = j;
  }
  return result;
}

/** Costs as (forbidden count, finite cost) pairs, row-major over n rows of m, n ≤ m. */
interface PairMatrix {
  forbidden: Uint8Array;
  finite: Float64Array;
}

function flatten(
  cost: readonly (readonly number[])[],
  transposed: boolean,
  n: number,
  m: number,
): PairMatrix {
  const forbidden = new Uint8Array(n * m);
  const finite = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const value = transposed ? cost[j][i] : cost[i][j];
      if (Number.isFinite(value)) finite[i * m + j] = value;
      else forbidden[i * m + j] = 1;
    }
  }
  return { forbidden, finite };
}

/**
 * Adds the rows one at a time, each along a shortest augmenting path (Dijkstra over the columns on
 * reduced costs), then updates the potentials of the rows and columns the search scanned only: the
 * Jonker–Volgenant augmentation as Crouse (2016) lays it out for rectangular problems, the one
 * SciPy's linear_sum_assignment uses. Returns the column of each row; n ≤ m.
 *
 * Each pair lives in two parallel arrays: *F for the forbidden count (small integers, exact in
 * floating point) and *C for the finite part.
 */
function shortestAugmentingPaths(
  { forbidden, finite }: PairMatrix,
  n: number,
  m: number,
): Int32Array {
  const uF = new Float64Array(n);
  const uC = new Float64Array(n);
  const vF = new Float64Array(m);
  const vC = new Float64Array(m);
  const columnOf = new Int32Array(n).fill(-1);
  const rowOf = new Int32Array(m).fill(-1);
  /** Reduced distance from the new row to each column, and the row it was reached from. */
  const distF = new Float64Array(m);
  const distC = new Float64Array(m);
  const reachedFrom = new Int32Array(m);
  /** Columns not yet scanned, the first `unscanned` entries. */
  const remaining = new Int32Array(m);
  const scannedRow = new Uint8Array(n);
  const scannedColumn = new Uint8Array(m);

  for (let newRow = 0; newRow < n; newRow++) {
    distF.fill(Infinity);
    distC.fill(Infinity);
    scannedRow.fill(0);
    scannedColumn.fill(0);
    for (let k = 0; k < m; k++) remaining[k] = m - 1 - k;
    let unscanned = m;
    let minF = 0;
    let minC = 0;
    let row = newRow;
    let sink = -1;
    while (sink === -1) {
      scannedRow[row] = 1;
      const base = row * m;
      const offsetF = minF - uF[row];
      const offsetC = minC - uC[row];
      let lowestF = Infinity;
      let lowestC = Infinity;
      let lowestAt = -1;
      for (let k = 0; k < unscanned; k++) {
        const j = remaining[k];
        const reducedF = offsetF + forbidden[base + j] - vF[j];
        const reducedC = offsetC + finite[base + j] - vC[j];
        if (reducedF < distF[j] || (reducedF === distF[j] && reducedC < distC[j])) {
          distF[j] = reducedF;
          distC[j] = reducedC;
          reachedFrom[j] = row;
        }
        // Among equally near columns a free one ends the search at once.
        const dF = distF[j];
        const dC = distC[j];
        if (
          dF < lowestF ||
          (dF === lowestF && (dC < lowestC || (dC === lowestC && rowOf[j] === -1)))
        ) {
          lowestF = dF;
          lowestC = dC;
          lowestAt = k;
        }
      }
      minF = lowestF;
      minC = lowestC;
      const column = remaining[lowestAt];
      scannedColumn[column] = 1;
      unscanned -= 1;
      remaining[lowestAt] = remaining[unscanned];
      if (rowOf[column] === -1) sink = column;
      else row = rowOf[column];
    }

    uF[newRow] += minF;
    uC[newRow] += minC;
    for (let i = 0; i < n; i++) {
      if (scannedRow[i] === 0 || i === newRow) continue;
      uF[i] += minF - distF[columnOf[i]];
      uC[i] += minC - distC[columnOf[i]];
    }
    for (let j = 0; j < m; j++) {
      if (scannedColumn[j] === 0) continue;
      vF[j] -= minF - distF[j];
      vC[j] -= minC - distC[j];
    }

    let column = sink;
    for (;;) {
      const i = reachedFrom[column];
      const previous = columnOf[i];
      rowOf[column] = i;
      columnOf[i] = column;
      if (i === newRow) break;
      column = previous;
    }
  }
  return columnOf;
}
