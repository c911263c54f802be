/** Every registered model against its migrated table, so that models and migrations cannot drift. */
import type { Client } from 'pg';
import {
  DataTypes,
  type Model,
  type ModelAttributeColumnOptions,
  type ModelStatic,
  Utils,
} from 'sequelize';
import { Sequelize } from 'sequelize-typescript';
import { MODELS } from '../../src/database/models';
import { createMigratedDatabase } from '../support/database';
import { withClient } from '../support/postgres';

interface ColumnRow {
  column_name: string;
  data_type: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_generated: 'ALWAYS' | 'NEVER';
  sql_type: string;
}

interface DataTypeLike {
  key: string;
  options?: { length?: number | string; precision?: number; scale?: number; binary?: boolean };
}

const SEQUENCE_DEFAULT = /^nextval\(/;

/** Sequelize's type as PostgreSQL's information_schema spells it; undefined when we have no rule. */
function postgresTypeOf({ key, options = {} }: DataTypeLike): string | undefined {
  switch (key) {
    case 'INTEGER':
      return 'integer';
    case 'BIGINT':
      return 'bigint';
    case 'SMALLINT':
      return 'smallint';
    case 'STRING':
      return options.binary ? undefined : `character varying(${options.length ?? 255})`;
    case 'CHAR':
      return options.binary ? undefined : `character(${options.length ?? 255})`;
    case 'TEXT':
      return 'text';
    case 'DATE':
      return 'timestamp with time zone';
    case 'DATEONLY':
      return 'date';
    case 'BOOLEAN':
      return 'boolean';
    case 'DECIMAL':
      return options.precision ? `numeric(${options.precision},${options.scale ?? 0})` : 'numeric';
    case 'DOUBLE PRECISION':
      return 'double precision';
    case 'REAL':
      return 'real';
    case 'FLOAT':
      // PostgreSQL reads a bare FLOAT, and FLOAT(25..53), as double precision; FLOAT(1..24) as real.
      return Number(options.length) >= 1 && Number(options.length) <= 24
        ? 'real'
        : 'double precision';
    case 'ENUM':
      return 'USER-DEFINED';
    case 'UUID':
      return 'uuid';
    case 'JSON':
      return 'json';
    case 'JSONB':
      return 'jsonb';
    default:
      return undefined;
  }
}

function columnTypeOf(row: ColumnRow): string {
  if (
    ['character varying', 'character'].includes(row.data_type) &&
    row.character_maximum_length !== null
  ) {
    return `${row.data_type}(${row.character_maximum_length})`;
  }
  if (row.data_type === 'numeric' && row.numeric_precision !== null) {
    return `numeric(${row.numeric_precision},${row.numeric_scale})`;
  }
  return row.data_type;
}

async function tableColumns(client: Client, table: string): Promise<Map<string, ColumnRow>> {
  const { rows } = await client.query<ColumnRow>(
    `SELECT c.column_name, c.data_type, c.character_maximum_length, c.numeric_precision,
            c.numeric_scale, c.is_nullable, c.column_default, c.is_generated,
            format_type(a.atttypid, a.atttypmod) AS sql_type
     FROM information_schema.columns c
     JOIN pg_attribute a
       ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
      AND a.attname = c.column_name
     WHERE c.table_schema = current_schema() AND c.table_name = $1`,
    [table],
  );
  return new Map(rows.map((row) => [row.column_name, row]));
}

/** Whether the model's default and the column's default are the same value, as PostgreSQL sees it. */
async function defaultDisagreement(
  client: Client,
  attribute: ModelAttributeColumnOptions,
  column: ColumnRow,
): Promise<string | undefined> {
  const actual = column.column_default;
  if (attribute.autoIncrement) {
    return actual !== null && SEQUENCE_DEFAULT.test(actual)
      ? undefined
      : `autoIncrement in the model, but the column default is ${actual ?? 'none'}`;
  }
  if (actual !== null && SEQUENCE_DEFAULT.test(actual)) {
    return `the column defaults to ${actual}, but the model is not autoIncrement`;
  }
  const expected: unknown = attribute.defaultValue ?? undefined;
  if (expected === undefined) {
    return actual === null ? undefined : `no default in the model, column default ${actual}`;
  }
  if (actual === null) return `model default ${String(expected)}, but no column default`;
  const dataTypeKey = (expected as Partial<DataTypeLike>).key;
  if (dataTypeKey === 'NOW') {
    return ['now()', 'CURRENT_TIMESTAMP'].includes(actual)
      ? undefined
      : `model default NOW, column default ${actual}`;
  }
  if (expected instanceof Utils.Fn) {
    const call = `${(expected as unknown as { fn: string }).fn}()`;
    return actual === call ? undefined : `model default ${call}, column default ${actual}`;
  }
  if (typeof expected === 'function' || dataTypeKey !== undefined) {
    throw new Error(`no rule to compare the model default ${String(expected)} with ${actual}`);
  }
  const type = column.sql_type;
  const { rows } = await client.query<{ same: boolean }>(
    `SELECT ((${actual})::${type})::text = ($1::${type})::text AS same`,
    [expected],
  );
  return rows[0].same ? undefined : `model default ${String(expected)}, column default ${actual}`;
}

async function attributeDisagreements(
  client: Client,
  attribute: ModelAttributeColumnOptions,
  column: ColumnRow,
): Promise<string[]> {
  const problems: string[] = [];
  const type = attribute.type as DataTypeLike;
  const expectedType = postgresTypeOf(type);
  if (expectedType === undefined) {
    throw new Error(
      `no PostgreSQL mapping for the Sequelize type ${type.key}; add one to this test`,
    );
  }
  if (expectedType !== columnTypeOf(column)) {
    problems.push(`type ${expectedType} in the model, ${columnTypeOf(column)} in the table`);
  }
  const requiredInModel = attribute.allowNull === false || attribute.primaryKey === true;
  const requiredInTable = column.is_nullable === 'NO';
  if (requiredInModel !== requiredInTable) {
    const describe = (required: boolean) => (required ? 'NOT NULL' : 'nullable');
    problems.push(
      `${describe(requiredInModel)} in the model, ${describe(requiredInTable)} in the table`,
    );
  }
  const defaultProblem = await defaultDisagreement(client, attribute, column);
  if (defaultProblem) problems.push(defaultProblem);
  return problems;
}

/** Every way `model` disagrees with its table, each message naming the model and the column. */
async function findDrift(client: Client, model: ModelStatic<Model>): Promise<string[]> {
  const table = model.tableName;
  const columns = await tableColumns(client, table);
  if (columns.size === 0) return [`${model.name}: table "${table}" does not exist`];

  const problems: string[] = [];
  const modelled = new Set<string>();
  for (const [name, attribute] of Object.entries(model.getAttributes())) {
    const { key } = attribute.type as DataTypeLike;
    if (key === 'VIRTUAL') continue;
    const field = attribute.field ?? name;
    const label = `${model.name}.${name} ("${table}"."${field}")`;
    modelled.add(field);
    const column = columns.get(field);
    if (!column) {
      problems.push(`${label}: in the model, missing from the table`);
      continue;
    }
    if (column.is_generated === 'ALWAYS') {
      // Sequelize would write it, and PostgreSQL refuses any value but DEFAULT.
      problems.push(`${label}: the database generates this column; the model may not write it`);
      continue;
    }
    try {
      const disagreements = await attributeDisagreements(client, attribute, column);
      problems.push(...disagreements.map((problem) => `${label}: ${problem}`));
    } catch (error) {
      throw new Error(`${label}: ${(error as Error).message}`, { cause: error });
    }
  }
  for (const [field, column] of columns) {
    // A generated column is derived from modelled ones and cannot be written: models leave it out.
    if (!modelled.has(field) && column.is_generated !== 'ALWAYS') {
      problems.push(`${model.name}: column "${table}"."${field}" has no attribute`);
    }
  }
  return problems.sort();
}

/** Runs `work` on a fresh migrated database, dropped afterwards whatever happens. */
async function onMigratedDatabase(work: (client: Client) => Promise<void>): Promise<void> {
  const database = await createMigratedDatabase();
  try {
    await withClient(database.url, work);
  } finally {
    await database.drop();
  }
}

describe('models and migrated tables', () => {
  let sequelize: Sequelize;
  beforeAll(() => {
    // Registering needs no connection: attributes are read from the models, not the database.
    sequelize = new Sequelize({ dialect: 'postgres', logging: false, models: MODELS });
  });
  afterAll(() => sequelize.close());

  it.each(MODELS.map((model) => [model.name, model] as const))(
    'model %s has exactly the columns, types, nullability and defaults of its table',
    (_name, model) =>
      onMigratedDatabase(async (client) => {
        expect(await findDrift(client, model)).toEqual([]);
      }),
  );

  describe('the comparison itself', () => {
    const PROBE_TABLE = `
      CREATE TABLE "Probes" (
        id SERIAL PRIMARY KEY,
        label VARCHAR(40) NOT NULL DEFAULT 'new',
        active BOOLEAN NOT NULL DEFAULT true,
        price NUMERIC(10, 2) DEFAULT 0,
        "seenAt" TIMESTAMPTZ DEFAULT now(),
        ratio FLOAT,
        notes TEXT
      )`;

    const define = (attributes: Parameters<Sequelize['define']>[1]) =>
      sequelize.define('Probe', attributes, {
        tableName: 'Probes',
        timestamps: false,
      });

    it('accepts a model that matches its table, defaults included', () =>
      onMigratedDatabase(async (client) => {
        await client.query(PROBE_TABLE);
        const probe = define({
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          label: { type: DataTypes.STRING(40), allowNull: false, defaultValue: 'new' },
          active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
          price: { type: DataTypes.DECIMAL(10, 2), defaultValue: 0 },
          seenAt: { type: DataTypes.DATE, defaultValue: DataTypes.NOW },
          ratio: { type: DataTypes.FLOAT },
          notes: { type: DataTypes.TEXT },
        });

        expect(await findDrift(client, probe)).toEqual([]);
      }));

    it('names the model and column of every disagreement', () =>
      onMigratedDatabase(async (client) => {
        await client.query(PROBE_TABLE);
        const probe = define({
          id: { type: DataTypes.INTEGER, primaryKey: true },
          label: { type: DataTypes.STRING(50), defaultValue: 'old' },
          active: { type: DataTypes.BOOLEAN, allowNull: false },
          price: { type: DataTypes.DECIMAL(10, 3), defaultValue: 0 },
          seenAt: { type: DataTypes.DATE, defaultValue: DataTypes.NOW },
          ratio: { type: DataTypes.REAL },
          rating: { type: DataTypes.INTEGER },
        });

        expect(await findDrift(client, probe)).toEqual([
          'Probe.active ("Probes"."active"): no default in the model, column default true',
          `Probe.id ("Probes"."id"): the column defaults to nextval('"Probes_id_seq"'::regclass), but the model is not autoIncrement`,
          'Probe.label ("Probes"."label"): model default old, column default \'new\'::character varying',
          'Probe.label ("Probes"."label"): nullable in the model, NOT NULL in the table',
          'Probe.label ("Probes"."label"): type character varying(50) in the model, character varying(40) in the table',
          'Probe.price ("Probes"."price"): type numeric(10,3) in the model, numeric(10,2) in the table',
          'Probe.rating ("Probes"."rating"): in the model, missing from the table',
          'Probe.ratio ("Probes"."ratio"): type real in the model, double precision in the table',
          'Probe: column "Probes"."notes" has no attribute',
        ]);
      }));

    it('asks no attribute for a column the database generates, refuses one, and asks for the others', () =>
      onMigratedDatabase(async (client) => {
        await client.query(`CREATE TABLE "Probes" (id SERIAL PRIMARY KEY, ratio FLOAT,
          doubled FLOAT GENERATED ALWAYS AS (ratio * 2) STORED, notes TEXT)`);
        const probe = define({
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          ratio: { type: DataTypes.FLOAT },
        });

        expect(await findDrift(client, probe)).toEqual([
          'Probe: column "Probes"."notes" has no attribute',
        ]);
        const writing = define({
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          ratio: { type: DataTypes.FLOAT },
          doubled: { type: DataTypes.FLOAT },
          notes: { type: DataTypes.TEXT },
        });
        expect(await findDrift(client, writing)).toEqual([
          'Probe.doubled ("Probes"."doubled"): the database generates this column; the model may not write it',
        ]);
      }));

    it('refuses a Sequelize type it has no PostgreSQL mapping for, naming the column', () =>
      onMigratedDatabase(async (client) => {
        await client.query(`CREATE TABLE "Probes" (id SERIAL PRIMARY KEY, address CIDR)`);
        const probe = define({
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          address: { type: DataTypes.CIDR },
        });

        await expect(findDrift(client, probe)).rejects.toThrow(
          'Probe.address ("Probes"."address"): no PostgreSQL mapping for the Sequelize type CIDR',
        );
      }));
  });
});
