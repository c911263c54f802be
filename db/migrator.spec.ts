import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrationName } from './migrator';

describe('migration names', () => {
  it('are recorded with a .js suffix whatever the source extension, as sequelize-cli does', () => {
    expect(migrationName('/x/db/migrations/20260216222120-create-user.ts')).toBe(
      '20260216222120-create-user.js',
    );
    expect(migrationName('/x/dist/db/migrations/20260216222120-create-user.js')).toBe(
      '20260216222120-create-user.js',
    );
  });

  it('all start with a 14-digit UTC timestamp followed by a dashed name', () => {
    const files = readdirSync(join(__dirname, 'migrations'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file).toMatch(/^\d{14}-[A-Za-z0-9-]+\.ts$/);
  });
});
