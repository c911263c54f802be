/**
 * The assignment problem for dispatch windows: which driver (column) goes to which ride slot (row).
 *
 * The Hungarian method (Kuhn-Munkres with potentials, shortest augmenting paths), O(n² m) for n
 * rows and m columns after transposing so that n ≤ m. Forbidden pairs cost a penalty larger than
 * any sum of allowed costs, so an assignment with more allowed pairs always costs less than one
 * with fewer; pairs assigned at the penalty are reported as unassigned (-1).
 */

/** cost[i][j] = cost of giving row i column j; Infinity (or any non-finite) = not allowed.
 *  Returns, for each row, the column assigned to it or -1, such that no column is used twice,
 *  the number of assigned rows is as large as possible, and among those the total cost is least. */
export function minCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const columns = rows === 0 ? 0 : cost[0].length;
  if (rows === 0) return [];
  if (columns === 0) return new Array<number>(rows).fill(-1);
  let allowedSum = 0;
  for (const row of cost)
    for (const value of row) if (Number.isFinite(value)) allowedSum += Math.abs(value);
  const penalty = allowedSum * 2 + 1;
  const at = (i: number, j: number) => (Number.isFinite(cost[i][j]) ? cost[i][j] : penalty);
  const transposed = rows > columns;
  const n = transposed ? columns : rows;
  const m = transposed ? rows : columns;
  const a = (i: number, j: number) => (transposed ? at(j, i) : at(i, j));
  const matchOfColumn = hungarian(n, m, a);
  const result = new Array<number>(rows).fill(-1);
  for (let j = 0; j < m; j++) {
    const i = matchOfColumn[j];
    if (i < 0) continue;
    const [row, column] = transposed ? [j, i] : [i, j];
    if (Number.isFinite(cost[row][column])) result[row] = column;
  }
  return result;
}

/** For n ≤ m: the row matched to each column (-1 for none), every row matched, least total. */
function hungarian(n: number, m: number, a: (i: number, j: number) => number): number[] {
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(m + 1).fill(0);
  const p = new Array<number>(m + 1).fill(0);
  const way = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(m + 1).fill(Infinity);
    const used = new Array<boolean>(m + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  return p.slice(1).map((row) => row - 1);
}
