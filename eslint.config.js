// Lint: typescript-eslint's recommended rules over src, test and bench, the layer rule and the
// file-cycle check over src (docs/architecture.md, "Layers").
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * src/'s rooms, lowest layer first. A room imports only rooms of lower layers, never one of its
 * own layer or above; services/<name> are rooms of their own. src/actions are programs a job
 * runs on their own: they import only src/core.
 */
export const LAYERS = [
  ['core'],
  ['store', 'policy', 'workflow', 'host', 'engine'],
  ['tls', 'images', 'auth', 'identity', 'git', 'docker-guard', 'trust', 'buildx'],
  [
    'services/iam',
    'services/sts',
    'services/ecr',
    'services/ecs',
    'services/ec2',
    'services/logs',
    'services/secretsmanager',
    'services/ssm',
    'registry',
  ],
  ['scheduler', 'network', 'protocols'],
  ['runtime', 'runner', 'results'],
  ['control'],
  ['console'],
  ['http'],
  ['cloud'],
  ['doctor', 'seed', 'bootstrap', 'deploy'],
  ['cli'],
];

const ROOMS = LAYERS.flat();
const ALL_ROOMS = [...ROOMS, 'actions'];

/** One zone per room: everything in its own layer and above (but itself), and src/actions. */
function layerZones() {
  const zones = LAYERS.flatMap((layer, level) =>
    layer.map((room) => {
      const forbidden = [
        ...LAYERS.slice(level)
          .flat()
          .filter((other) => other !== room),
        'actions',
      ];
      return {
        target: `./src/${room}/**`,
        from: forbidden.map((other) => `./src/${other}/**`),
        message: `src/${room} is in layer ${level} (eslint.config.js LAYERS): it may import only lower layers.`,
      };
    }),
  );
  zones.push({
    target: './src/actions/**',
    from: ALL_ROOMS.filter((room) => room !== 'actions' && room !== 'core').map((room) => `./src/${room}/**`),
    message: 'src/actions are programs a job runs on their own: they may import only src/core.',
  });
  // Anything in src/ outside the rooms (a new folder) must be placed in LAYERS first.
  zones.push({
    target: './src/**',
    from: './src',
    except: ALL_ROOMS.map((room) => `./${room}`),
    message: 'a folder of src/ that is not in eslint.config.js LAYERS: place it in a layer first.',
  });
  return zones;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(fs|path|http|https|crypto|os|child_process|url|util|net|stream|events)$',
              message: 'use the node: prefix',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // The plugin reads the imported files too, to follow cycles: they are TypeScript.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import each other as .js (NodeNext); the files are .ts.
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones() }],
      // Type-only imports count too: a cycle of types is still two files that cannot be read apart.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
