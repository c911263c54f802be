import { DatabaseError, ForeignKeyConstraintError } from 'sequelize';

export function sqlState(error: DatabaseError): string {
  return (error.parent as { code?: string } | undefined)?.code ?? '';
}

/** `Connection terminated unexpectedly` and kin: pg's own errors, without an SQLSTATE. */
const LOST_CONNECTION = /^Connection terminated|not queryable|Connection ended/;

/** The socket's own errors (Node's codes, not SQLSTATEs) under a running query. */
const SOCKET_FAILURES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'];

/**
 * The database, not the request, is at fault: it is shutting down or starting up (57P01–57P03),
 * the connection broke (class 08), or the socket failed or closed under a running query.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) return false;
  const code = sqlState(error);
  if (code) {
    return (
      code.startsWith('08') ||
      ['57P01', '57P02', '57P03'].includes(code) ||
      SOCKET_FAILURES.includes(code)
    );
  }
  return LOST_CONNECTION.test(String((error.parent as Error | undefined)?.message));
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
