import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/sequelize';
import type { ClientBase, QueryResultRow } from 'pg';
import type { Sequelize } from 'sequelize-typescript';

/** A statement in PostgreSQL's form: its name, `$n` placeholders, and which replacement is each. */
interface Compiled {
  name: string;
  text: string;
  order: string[];
}

/** `:name` outside string literals and quoted identifiers, and not part of a `::type` cast. */
const REPLACEMENT = /'(?:[^']|'')*'|"(?:[^"]|"")*"|::|:([A-Za-z_]\w*)/g;

/**
 * Sequelize's `:name` replacements as PostgreSQL's `$n` placeholders, numbered in order of first
 * use (a name used twice is one parameter); `order` names the value of each.
 */
export function toPositional(sql: string): { text: string; order: string[] } {
  const order: string[] = [];
  const text = sql.replace(REPLACEMENT, (match, key: string | undefined) => {
    if (key === undefined) return match;
    let position = order.indexOf(key);
    if (position < 0) position = order.push(key) - 1;
    return `$${position + 1}`;
  });
  return { text, order };
}

/** The parts of Sequelize's postgres dialect this borrows: its error mapping. */
interface Dialect {
  Query: new (
    connection: unknown,
    sequelize: Sequelize,
    options: object,
  ) => { formatError(error: Error, stack?: string): Error };
}

/**
 * The hot paths' statements (a ride's request and each step of its lifecycle) as named statements
 * on a connection of Sequelize's pool. Through `sequelize.query` every request's statement is
 * parsed and planned anew (over a millisecond of PostgreSQL's time for a ride's view, several
 * times the write itself) and its text rewritten by Sequelize's replacement scanner; a named
 * statement is parsed once per connection and, after five runs, planned once too. Replacements
 * keep Sequelize's `:name` form (arrays are not expanded: write lists into the text). Errors come
 * out as `sequelize.query` throws them (UniqueConstraintError, DatabaseError, …), so callers and
 * the exception filter treat them alike.
 */
@Injectable()
export class PreparedStatements {
  private readonly compiled = new Map<string, Compiled>();

  constructor(@InjectConnection() private readonly sequelize: Sequelize) {}

  /** The statement's rows; on the primary unless `read` (a replica may serve it). */
  async rows<T extends QueryResultRow>(
    sql: string,
    replacements: Record<string, unknown>,
    access: 'read' | 'write' = 'write',
  ): Promise<T[]> {
    const statement = this.compile(sql);
    const values = statement.order.map((key) => replacements[key] ?? null);
    const manager = this.sequelize.connectionManager;
    // Sequelize's pool sends a SELECT to a replica (when there are any), anything else to the primary.
    const type = (access === 'read' ? 'SELECT' : 'RAW') as 'read';
    const connection = (await manager.getConnection({ type })) as ClientBase;
    try {
      const result = await connection.query<T>({
        name: statement.name,
        text: statement.text,
        values,
      });
      return result.rows;
    } catch (error) {
      throw this.asSequelizeError(connection, error as Error);
    } finally {
      manager.releaseConnection(connection);
    }
  }

  private compile(sql: string): Compiled {
    const known = this.compiled.get(sql);
    if (known) return known;
    const { text, order } = toPositional(sql);
    // The same text on every process and after every restart: one name per distinct statement.
    const name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    const statement = { name, text, order };
    this.compiled.set(sql, statement);
    return statement;
  }

  private asSequelizeError(connection: ClientBase, error: Error): Error {
    if ((error as { code?: string }).code === 'ECONNRESET') {
      (connection as ClientBase & { _invalid?: boolean })._invalid = true;
    }
    const dialect = (this.sequelize as unknown as { dialect: Dialect }).dialect;
    return new dialect.Query(connection, this.sequelize, {}).formatError(error);
  }
}
