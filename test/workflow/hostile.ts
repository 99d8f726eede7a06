/**
 * Hostile workflow files for the bounds tests (unit and end to end).
 */

/**
 * A workflow whose job `env` holds `levels` nested anchors, each a list of `width` aliases of the
 * one before: width^levels strings once expanded. 10 × 10 is about 700 bytes and 10^10 nodes.
 */
export function aliasBomb(levels = 10, width = 10): string {
  const anchors = [`      L0: &a0 ["lol"]`];
  for (let level = 1; level < levels; level++)
    anchors.push(`      L${level}: &a${level} [${Array.from({ length: width }, () => `*a${level - 1}`).join(', ')}]`);
  return [
    'name: bomb',
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    env:',
    ...anchors,
    '    steps:',
    '      - run: echo never',
    '',
  ].join('\n');
}

/** A valid workflow of about `bytes` characters (within the node limit up to 1 MiB): one job of many steps. */
export function largeWorkflow(bytes: number): string {
  let text = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n';
  for (let i = 0; text.length < bytes; i++) text += `      - id: s${i}\n        run: echo ${'x'.repeat(400)}\n`;
  return text;
}
