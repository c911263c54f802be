import { DatabaseError, ForeignKeyConstraintError } from 'sequelize';

export function sqlState(error: DatabaseError): string {
  return (error.parent as { code?: string } | undefined)?.code ?? '';
}

/**
 * A delete refused because other rows still point at this one. PostgreSQL reports an
 * ON DELETE RESTRICT key as 23001 (restrict_violation) since version 18 and as 23503 before;
 * Sequelize only recognises the latter.
 */
export function isStillReferenced(error: unknown): boolean {
  if (error instanceof ForeignKeyConstraintError) {
    return /is still referenced/.test(
      String((error.parent as { detail?: string } | undefined)?.detail),
    );
  }
  return error instanceof DatabaseError && sqlState(error) === '23001';
}
