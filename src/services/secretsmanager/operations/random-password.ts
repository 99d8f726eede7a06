/**
 * GetRandomPassword: a password from crypto-strong randomness over the character classes the
 * request leaves in (upper, lower, digits, Secrets Manager's punctuation, optionally space),
 * with one character of each class unless RequireEachIncludedType is false.
 */
import { randomInt } from 'node:crypto';
import type { Operation } from '../../../core/operation.js';
import { onAccount } from '../authorization.js';
import { secretsErrors } from '../errors.js';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

interface PasswordInput {
  length: number;
  exclude: string;
  numbers: boolean;
  punctuation: boolean;
  upper: boolean;
  lower: boolean;
  space: boolean;
  requireEach: boolean;
}

export function getRandomPassword(): Operation<PasswordInput, { RandomPassword: string }> {
  return {
    input: (r) => ({
      length: r.integer('PasswordLength', { min: 1, max: 4096 }) ?? 32,
      exclude: r.string('ExcludeCharacters', { min: 0, max: 4096 }) ?? '',
      numbers: !(r.boolean('ExcludeNumbers') ?? false),
      punctuation: !(r.boolean('ExcludePunctuation') ?? false),
      upper: !(r.boolean('ExcludeUppercase') ?? false),
      lower: !(r.boolean('ExcludeLowercase') ?? false),
      space: r.boolean('IncludeSpace') ?? false,
      requireEach: r.boolean('RequireEachIncludedType') ?? true,
    }),
    authorize: () => onAccount('GetRandomPassword'),
    run: (input) => {
      const classes = [
        input.upper && UPPER,
        input.lower && LOWER,
        input.numbers && DIGITS,
        input.punctuation && PUNCTUATION,
        input.space && ' ',
      ]
        .filter((c): c is string => typeof c === 'string')
        .map((c) => [...c].filter((ch) => !input.exclude.includes(ch)).join(''))
        .filter((c) => c.length > 0);
      if (classes.length === 0)
        throw secretsErrors.invalidParameter('The password cannot be generated: every character type is excluded.');
      if (input.requireEach && input.length < classes.length) throw secretsErrors.passwordTooShort();
      const all = classes.join('');
      const chars = Array.from({ length: input.length }, () => all[randomInt(all.length)] as string);
      if (input.requireEach) {
        // One of each class at distinct random positions.
        const positions = shuffle(Array.from({ length: input.length }, (_, i) => i)).slice(0, classes.length);
        classes.forEach((c, i) => (chars[positions[i] as number] = c[randomInt(c.length)] as string));
      }
      return { RandomPassword: chars.join('') };
    },
  };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
