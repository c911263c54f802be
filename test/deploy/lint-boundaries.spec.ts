import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = join(__dirname, '..', '..');
/* eslint-disable @typescript-eslint/no-require-imports -- both are CommonJS modules */
const importPlugin: unknown = require('eslint-plugin-import');
const { boundaries, FEATURE_USES } = require(join(root, 'eslint.boundaries.cjs')) as {
  boundaries: (plugin: unknown) => object[];
  FEATURE_USES: Record<string, string[]>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The module map's own rules, on code that is not in the tree. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...(boundaries(importPlugin) as ESLint.Options['overrideConfig'][]),
    ] as ESLint.Options['overrideConfig'],
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.map((message) => message.message);
}

describe('import boundaries', () => {
  it('refuses a feature import in common/', async () => {
    const errors = await boundaryErrors(
      'src/common/http/example.ts',
      "import { UsersService } from '../../users/users.service';\nexport const x = UsersService;\n",
    );
    expect(errors).toEqual([expect.stringContaining('common/ is the ground floor')]);
  });

  it("refuses another feature's store, even from a feature allowed to use it", async () => {
    const errors = await boundaryErrors(
      'src/rides/example.ts',
      "import { DriverProfileStore } from '../drivers/driver-profile.store';\nexport const x = DriverProfileStore;\n",
    );
    expect(errors).toEqual([expect.stringContaining("use drivers's exported service")]);
  });

  it('refuses a dependency against the direction of the map', async () => {
    const errors = await boundaryErrors(
      'src/drivers/example.ts',
      "import { RidesService } from '../rides/rides.service';\nexport const x = RidesService;\n",
    );
    expect(errors).toEqual([expect.stringContaining('drivers may not depend on rides')]);
  });

  it('lets a model import another feature’s model, and a feature use an allowed service', async () => {
    expect(
      await boundaryErrors(
        'src/rides/example.model.ts',
        "import { User } from '../users/user.model';\nexport const x = User;\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'src/rides/example.ts',
        "import { DriversService } from '../drivers/drivers.service';\nexport const x = DriversService;\n",
      ),
    ).toEqual([]);
  });

  it('declares a map without cycles', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (feature: string, path: string[]): void => {
      if (done.has(feature)) return;
      if (visiting.has(feature)) throw new Error(`cycle: ${[...path, feature].join(' → ')}`);
      visiting.add(feature);
      for (const used of FEATURE_USES[feature] ?? []) visit(used, [...path, feature]);
      visiting.delete(feature);
      done.add(feature);
    };
    expect(() => Object.keys(FEATURE_USES).forEach((feature) => visit(feature, []))).not.toThrow();
  });
});
