// Jest transform: esbuild strips the TypeScript types (esbuild is already a dependency, for esbuild-register);
// `tsc --noEmit` in `npm test` does the type-check once for the whole project.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts', format: 'cjs', target: 'es2022', sourcefile: filename, sourcemap: 'external',
    });
    return { code, map };
  },
};
