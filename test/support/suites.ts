/**
 * Several suites in one Jest file. Each Jest file loads the API's modules afresh (a second or
 * more of CPU, under coverage more), so suites that each start an app of their own share a file:
 * every suite still gets its own app, database and hooks, inside a describe block of its own,
 * and runs as it would alone.
 *
 * A suite is a module whose top level calls `beforeAll`, `describe`, `it`…; requiring it inside
 * `describe` attaches all of those to that block.
 */
export function suites(load: Record<string, () => unknown>): void {
  for (const [title, run] of Object.entries(load)) {
    describe(title, () => {
      run();
    });
  }
}
