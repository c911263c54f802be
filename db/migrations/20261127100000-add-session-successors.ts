import type { MigrationContext } from '../migration';

/**
 * The refresh-token reuse interval: a rotated session remembers which session replaced it and,
 * for a few seconds, that session's token, encrypted with a key only the rotated token yields, so
 * a client that sent the same rotation twice gets the same answer twice. The partial index serves
 * the sweep that clears those ciphertexts once the interval is over.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`ALTER TABLE "Sessions"
    ADD COLUMN "successorId" INTEGER REFERENCES "Sessions" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    ADD COLUMN "successorTokenCiphertext" TEXT`);
  await query(`CREATE INDEX "Sessions_successor_ciphertext_revokedAt_idx" ON "Sessions" ("revokedAt")
    WHERE "successorTokenCiphertext" IS NOT NULL`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP INDEX "Sessions_successor_ciphertext_revokedAt_idx"`);
  await query(
    `ALTER TABLE "Sessions" DROP COLUMN "successorTokenCiphertext", DROP COLUMN "successorId"`,
  );
}
