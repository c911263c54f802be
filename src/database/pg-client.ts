import * as pg from 'pg';

/**
 * pg's Client with an `error` listener from birth. Sequelize adds its own listener only after the
 * connection is up; an error in the same packet as "ready" (a database dropped or restarted at
 * that moment) would otherwise be an unhandled `error` event, which ends the process. Sequelize's
 * listener, once added, still marks the connection invalid.
 */
class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** The `pg` module as Sequelize uses it (`dialectModule`), with that Client. */
export const pgWithListenedClients: typeof pg = Object.create(pg, {
  Client: { value: ListenedClient },
}) as typeof pg;
