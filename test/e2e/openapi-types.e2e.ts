/** Every field and parameter the API documents has a type a client generator can use. */
import { createTestApp, type TestApp } from '../support/app';

interface Schema {
  type?: string;
  $ref?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

interface Parameter {
  name: string;
  in: string;
  schema?: Schema;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
  components: { schemas: Record<string, Schema> };
}

let t: TestApp;
let document: OpenApiDocument;

beforeAll(async () => {
  t = await createTestApp();
  document = (await t.http.get('/docs-json').expect(200)).body as OpenApiDocument;
});

afterAll(() => t.close());

/** Where in `schema` (named `path`) a value's type is missing or only "object" with nothing in it. */
function untyped(schema: Schema | undefined, path: string): string[] {
  if (!schema) return [`${path}: no schema`];
  if (schema.$ref) return [];
  const members = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (members) return members.flatMap((member, index) => untyped(member, `${path}[${index}]`));
  if (!schema.type) return [`${path}: no type`];
  if (schema.type === 'array') return untyped(schema.items, `${path}[]`);
  if (schema.type === 'object') {
    const properties = Object.entries(schema.properties ?? {});
    const open = typeof schema.additionalProperties === 'object';
    if (properties.length === 0 && !open) return [`${path}: "object" with no properties`];
    return [
      ...properties.flatMap(([name, property]) => untyped(property, `${path}.${name}`)),
      ...(open ? untyped(schema.additionalProperties as Schema, `${path}.*`) : []),
    ];
  }
  return [];
}

describe('GET /docs-json', () => {
  it('documents a concrete type for every property of every schema', () => {
    const schemas = Object.entries(document.components.schemas);
    expect(schemas.length).toBeGreaterThan(10);

    const problems = schemas.flatMap(([name, schema]) => untyped(schema, name));

    expect(problems).toEqual([]);
  });

  it('documents a concrete type for every path and query parameter', () => {
    const parameters = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        (operation.parameters ?? []).map((parameter) => ({
          where: `${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`,
          schema: parameter.schema,
        })),
      ),
    );
    expect(parameters.length).toBeGreaterThan(10);

    const problems = parameters.flatMap(({ where, schema }) => untyped(schema, where));

    expect(problems).toEqual([]);
  });

  it('documents RegisterDto vehicle fields as strings and serviceTypeId as an integer', () => {
    const register = document.components.schemas.RegisterDto.properties!;

    expect(register.make.type).toBe('string');
    expect(register.model.type).toBe('string');
    expect(register.licensePlate.type).toBe('string');
    expect(register.serviceTypeId.type).toBe('integer');
  });
});
