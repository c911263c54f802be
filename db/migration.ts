import type { QueryInterface, Sequelize, Transaction } from 'sequelize';

/** What every migration and seeder receives: run each statement inside `transaction`. */
export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
  transaction: Transaction;
}

export interface MigrationModule {
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}

export interface SeedOptions {
  adminUsername?: string;
  adminPassword?: string;
}

export interface SeederModule {
  seed(context: MigrationContext, options: SeedOptions): Promise<void>;
}
