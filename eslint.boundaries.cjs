/**
 * The module map, enforced: which feature may use which (their services, DTOs and helpers), so
 * the dependencies between features stay a one-way graph. A feature's store and model are its own:
 * other features call its exported service, and only models may import other models (for
 * associations). `common/` imports no feature. See docs/architecture.md.
 */
const FEATURE_USES = {
  metrics: [],
  'service-types': [],
  drivers: ['service-types'],
  users: ['drivers', 'metrics'],
  roles: ['users'],
  auth: ['users', 'drivers', 'service-types'],
  realtime: ['auth', 'metrics'],
  rides: ['drivers', 'service-types', 'realtime', 'metrics'],
  health: [],
};
const FEATURES = Object.keys(FEATURE_USES);

function zonesFor(feature) {
  const others = FEATURES.filter((other) => other !== feature);
  return others.map((other) =>
    FEATURE_USES[feature].includes(other)
      ? {
          target: `./src/${feature}`,
          from: [`./src/${other}/**/*.store.ts`, `./src/${other}/**/*.model.ts`],
          message: `use ${other}'s exported service, not its store or model`,
        }
      : {
          target: `./src/${feature}`,
          from: `./src/${other}`,
          message: `${feature} may not depend on ${other} (see FEATURE_USES in eslint.boundaries.cjs)`,
        },
  );
}

/** A model may import other features' models (associations), and nothing else of theirs. */
function modelZonesFor(feature) {
  return FEATURES.filter((other) => other !== feature).map((other) => ({
    target: `./src/${feature}/**/*.model.ts`,
    from: `./src/${other}/**/!(*.model).ts`,
    message: `a model may import ${other}'s models only`,
  }));
}

const commonZone = {
  target: './src/common',
  from: FEATURES.map((feature) => `./src/${feature}`),
  message: 'common/ is the ground floor: it imports no feature',
};

/** Flat-config blocks; `plugin` is eslint-plugin-import. */
function boundaries(plugin) {
  const settings = { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } };
  return [
    {
      files: ['src/**/*.ts'],
      plugins: { import: plugin },
      settings,
      rules: {
        'import/no-restricted-paths': [
          'error',
          { zones: [commonZone, ...FEATURES.flatMap(zonesFor)] },
        ],
        'import/no-cycle': ['error', { ignoreExternal: true }],
      },
    },
    {
      files: ['src/**/*.model.ts'],
      rules: {
        'import/no-restricted-paths': [
          'error',
          { zones: [commonZone, ...FEATURES.flatMap(modelZonesFor)] },
        ],
      },
    },
  ];
}

module.exports = { FEATURE_USES, boundaries };
