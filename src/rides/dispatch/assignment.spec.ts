import { minCostAssignment } from './assignment';
import { seededRandom as random } from '../../../test/support/random';

type Matrix = readonly (readonly number[])[];

interface Best {
  assigned: number;
  total: number;
}

/** Every partial assignment of allowed pairs, tried one by one: most rows first, then least total. */
function bruteForce(cost: Matrix): Best {
  const columns = cost.length === 0 ? 0 : cost[0].length;
  const taken = new Array<boolean>(columns).fill(false);
  let best: Best = { assigned: 0, total: 0 };
  const visit = (row: number, assigned: number, total: number): void => {
    if (row === cost.length) {
      if (assigned > best.assigned || (assigned === best.assigned && total < best.total)) {
        best = { assigned, total };
      }
      return;
    }
    visit(row + 1, assigned, total);
    for (let column = 0; column < columns; column++) {
      if (taken[column] || !Number.isFinite(cost[row][column])) continue;
      taken[column] = true;
      visit(row + 1, assigned + 1, total + cost[row][column]);
      taken[column] = false;
    }
  };
  visit(0, 0, 0);
  return best;
}

/**
 * The size and total of an answer, after checking it is a valid assignment of allowed pairs (one
 * entry per row, each -1 or a column of an allowed pair, no column twice); a string says what is
 * wrong with it otherwise. Plain checks rather than expect(), so thousands of instances stay fast.
 */
function measure(cost: Matrix, answer: number[]): Best | string {
  const columns = cost.length === 0 ? 0 : cost[0].length;
  if (answer.length !== cost.length) return `${answer.length} entries for ${cost.length} rows`;
  const seen = new Set<number>();
  let assigned = 0;
  let total = 0;
  for (let row = 0; row < answer.length; row++) {
    const column = answer[row];
    if (column === -1) continue;
    if (!Number.isInteger(column) || column < 0 || column >= columns)
      return `row ${row}: ${column}`;
    if (seen.has(column)) return `column ${column} used twice`;
    if (!Number.isFinite(cost[row][column])) return `row ${row} given forbidden column ${column}`;
    seen.add(column);
    assigned += 1;
    total += cost[row][column];
  }
  return { assigned, total };
}

/** A rows × columns matrix, each entry forbidden with the given chance. */
function randomMatrix(
  rand: () => number,
  rows: number,
  columns: number,
  forbiddenChance: number,
  entry: () => number,
): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: columns }, () => {
      if (rand() >= forbiddenChance) return entry();
      return [Infinity, -Infinity, NaN][Math.floor(rand() * 3)];
    }),
  );
}

function frozen(cost: number[][]): Matrix {
  return Object.freeze(cost.map((row) => Object.freeze(row)));
}

describe('minCostAssignment', () => {
  it('gives two riders the drivers that make the summed pickup least, not each its nearest', () => {
    // Rider 0 is 2 min from driver 0 and 3 min from driver 1; rider 1 is 3 min from driver 0 and
    // 10 min from driver 1. Nearest-first hands driver 0 to rider 0 and leaves rider 1 waiting
    // 10 min (12 in all); crossing them costs 6.
    expect(
      minCostAssignment([
        [2, 3],
        [3, 10],
      ]),
    ).toEqual([1, 0]);
  });

  it('beats greedy nearest-first whichever rider is taken first', () => {
    // The cheapest pair (rider 1, driver 1) costs 1, but taking it forces rider 0 onto driver 0
    // at 9 (10 in all); the optimum gives rider 0 driver 1 and rider 1 driver 0 (4 + 2 = 6).
    expect(
      minCostAssignment([
        [9, 4],
        [2, 1],
      ]),
    ).toEqual([1, 0]);
  });

  it('assigns as many rows as it can before it looks at cost', () => {
    // Only driver 0 can reach rider 1, so rider 0 must take the far driver 1 for both to ride.
    expect(
      minCostAssignment([
        [1, 1000],
        [1, Infinity],
      ]),
    ).toEqual([1, 0]);
  });

  it('leaves the dearer row out when only one column can be had', () => {
    expect(minCostAssignment([[10], [1]])).toEqual([-1, 0]);
    expect(
      minCostAssignment([
        [10, Infinity],
        [1, Infinity],
      ]),
    ).toEqual([-1, 0]);
  });

  it('leaves a row with no allowed column unassigned', () => {
    expect(
      minCostAssignment([
        [Infinity, NaN, -Infinity],
        [5, 1, Infinity],
      ]),
    ).toEqual([-1, 1]);
    expect(
      minCostAssignment([
        [Infinity, Infinity],
        [Infinity, Infinity],
      ]),
    ).toEqual([-1, -1]);
    expect(minCostAssignment([[NaN]])).toEqual([-1]);
  });

  it('takes more assigned rows over a lower total even with costs near the largest double', () => {
    const huge = Number.MAX_VALUE / 2;
    expect(
      minCostAssignment([
        [huge, Infinity],
        [1, huge],
      ]),
    ).toEqual([0, 1]);
  });

  it('handles negative costs', () => {
    expect(
      minCostAssignment([
        [-5, -1],
        [-4, -3],
      ]),
    ).toEqual([0, 1]);
  });

  it('handles wide and tall matrices', () => {
    expect(minCostAssignment([[7, 3, 5]])).toEqual([1]);
    expect(minCostAssignment([[7], [3], [5]])).toEqual([-1, 0, -1]);
    expect(
      minCostAssignment([
        [4, 1],
        [2, 8],
        [3, 3],
      ]),
    ).toEqual([1, 0, -1]);
  });

  it('answers empty matrices and rows without columns', () => {
    expect(minCostAssignment([])).toEqual([]);
    expect(minCostAssignment([[]])).toEqual([-1]);
    expect(minCostAssignment([[], [], []])).toEqual([-1, -1, -1]);
    expect(minCostAssignment([[0]])).toEqual([0]);
  });

  it('refuses rows of different lengths', () => {
    expect(() => minCostAssignment([[1, 2], [3]])).toThrow(RangeError);
  });

  it('breaks ties the same way every time', () => {
    const ties = [
      [1, 1, 1, 1],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ];
    const first = minCostAssignment(ties);
    expect(measure(ties, first)).toEqual({ assigned: 3, total: 3 });
    expect(minCostAssignment(ties)).toEqual(first);
    expect(minCostAssignment(ties.map((row) => [...row]))).toEqual(first);
  });

  it('matches brute force on 3,000 small random instances with forbidden pairs', () => {
    const rand = random(20261201);
    const entry = () => Math.floor(rand() * 21);
    const mismatches: string[] = [];
    for (let instance = 0; instance < 3000; instance++) {
      const rows = Math.floor(rand() * 7);
      const columns = Math.floor(rand() * 7);
      const forbiddenChance = [0, 0.2, 0.5, 0.8][instance % 4];
      const cost = frozen(randomMatrix(rand, rows, columns, forbiddenChance, entry));
      const answer = minCostAssignment(cost);
      const found = measure(cost, answer);
      const best = bruteForce(cost);
      const again = minCostAssignment(cost);
      if (
        typeof found === 'string' ||
        found.assigned !== best.assigned ||
        found.total !== best.total ||
        again.join() !== answer.join()
      ) {
        mismatches.push(JSON.stringify({ cost, answer, again, found, best }));
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('matches brute force on random real-valued and lopsided instances', () => {
    const rand = random(7);
    const entry = () => (rand() - 0.25) * 1e6;
    const shapes = [
      [6, 6],
      [2, 8],
      [8, 2],
      [3, 7],
      [7, 3],
      [1, 6],
      [6, 1],
    ];
    const mismatches: string[] = [];
    for (let instance = 0; instance < 350; instance++) {
      const [rows, columns] = shapes[instance % shapes.length];
      const cost = frozen(randomMatrix(rand, rows, columns, (instance % 5) * 0.15, entry));
      const answer = minCostAssignment(cost);
      const found = measure(cost, answer);
      const best = bruteForce(cost);
      if (
        typeof found === 'string' ||
        found.assigned !== best.assigned ||
        Math.abs(found.total - best.total) > 1e-6
      ) {
        mismatches.push(JSON.stringify({ cost, answer, found, best }));
      }
    }
    expect(mismatches).toEqual([]);
  });
});
