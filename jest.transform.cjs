/**
 * @swc/jest with swc's istanbul plugin, and one repair: the plugin stamps its counters with a
 * schema id of its own, which Jest does not recognise when it reads the counters of files no test
 * loaded, so those files would drop out of the report instead of counting as untested. The id
 * Jest expects is stamped on instead (the counters' shape is the same).
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { dirname } = require('node:path');
const { createTransformer } = require('@swc/jest');

const { MAGIC_KEY, MAGIC_VALUE } = require(
  require.resolve('istanbul-lib-instrument/src/constants', {
    paths: [dirname(require.resolve('@jest/reporters'))],
  }),
);
const SCHEMA = new RegExp(`\\b${MAGIC_KEY}: "[^"]*"`);

module.exports = {
  createTransformer(options) {
    const swc = createTransformer({
      ...options,
      experimental: { ...options.experimental, customCoverageInstrumentation: { enabled: true } },
    });
    const stamp = (result, jestOptions) =>
      jestOptions.instrument
        ? { ...result, code: result.code.replace(SCHEMA, `${MAGIC_KEY}: "${MAGIC_VALUE}"`) }
        : result;
    // Jest caches transforms by this key: it changes when this file does.
    const self = readFileSync(__filename);
    return {
      ...swc,
      getCacheKey: (...args) =>
        createHash('sha1')
          .update(swc.getCacheKey(...args))
          .update(self)
          .digest('hex'),
      process: (src, filename, jestOptions) =>
        stamp(swc.process(src, filename, jestOptions), jestOptions),
      processAsync: async (src, filename, jestOptions) =>
        stamp(await swc.processAsync(src, filename, jestOptions), jestOptions),
    };
  },
};
