/** Runs the bundle's entry module (see loader.ts). */
amdRequire('src/buildx/plugin-entry');
