/**
 * PutParameter: creates a parameter (Type required) or, with Overwrite, its next version. An
 * overwrite keeps what the request leaves out (type, description, key, allowed pattern, data
 * type, tier) from the latest version. Tiers: Standard (values up to 4096 characters),
 * Advanced (8192), Intelligent-Tiering (Advanced only when the value needs it); an advanced
 * parameter never goes back to standard.
 */
import type { Operation } from '../../../core/operation.js';
import { checkAllowedPattern, checkValueAgainst } from '../allowed-pattern.js';
import { onPut } from '../authorization.js';
import { placeholderCiphertext } from '../ciphertext.js';
import { ssmErrors } from '../errors.js';
import { mergeTags, readName, readTags } from '../input-rules.js';
import { PARAMETER_TYPES, TIERS, type ParameterType, type StoredTier, type Tag } from '../model.js';
import { checkNewName, parameterKey } from '../names.js';
import type { ParameterStore } from '../store.js';

const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;
const IMAGE_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

interface PutParameterInput {
  name: string;
  description?: string;
  value: string;
  type?: ParameterType;
  keyId?: string;
  overwrite: boolean;
  allowedPattern?: string;
  tags?: Tag[];
  tier?: (typeof TIERS)[number];
  policies?: string;
  dataType?: string;
}

export function putParameter(
  store: ParameterStore,
): Operation<PutParameterInput, { Version: number; Tier: StoredTier }> {
  return {
    input: (r) => ({
      name: readName(r),
      description: r.string('Description', { min: 0, max: 1024 }),
      value: r.string('Value', { min: 1, required: true, sensitive: true }),
      type: r.string('Type', { oneOf: PARAMETER_TYPES }),
      keyId: r.string('KeyId', { min: 1, max: 256, pattern: /[a-zA-Z0-9:/_-]+/, patternText: '^([a-zA-Z0-9:/_-]+)$' }),
      overwrite: r.boolean('Overwrite') ?? false,
      allowedPattern: r.string('AllowedPattern', { min: 0, max: 1024 }),
      tags: readTags(r),
      tier: r.string('Tier', { oneOf: TIERS }),
      policies: r.string('Policies', { min: 1, max: 4096 }),
      dataType: r.string('DataType', { min: 0, max: 128 }),
    }),
    authorize: (input, ctx) => onPut(store, ctx, input.name, input.tags),
    run: (input, ctx) => {
      checkNewName(input.name, ctx);
      if (input.tags && input.tags.length > 0 && input.overwrite) throw ssmErrors.tagsWithOverwrite();
      if (input.policies !== undefined) throw ssmErrors.unsupported('parameter policies (Policies)');
      const key = parameterKey(input.name);
      const existing = store.get(key);
      if (existing && !input.overwrite) throw ssmErrors.alreadyExists();
      const previous = existing?.latest;
      const type = input.type ?? previous?.type;
      if (type === undefined) throw ssmErrors.typeRequired();
      if (previous && previous.type !== type) throw ssmErrors.typeChange();
      if (input.keyId !== undefined && type !== 'SecureString') throw ssmErrors.keyIdNeedsSecure();
      const dataType = checkDataType(input.dataType ?? previous?.dataType ?? 'text', type, input.value);
      const tier = resolveTier(input.tier ?? previous?.tier ?? 'Standard', input.value, previous?.tier);
      const allowedPattern = input.allowedPattern ?? previous?.allowedPattern;
      if (input.allowedPattern) checkAllowedPattern(input.allowedPattern);
      if (allowedPattern) checkValueAgainst(allowedPattern, input.value);
      const version = store.put(
        key,
        input.name,
        {
          type,
          value: input.value,
          ciphertext: type === 'SecureString' ? placeholderCiphertext(input.value) : undefined,
          keyId: type === 'SecureString' ? (input.keyId ?? previous?.keyId) : undefined,
          description: input.description ?? previous?.description,
          allowedPattern: allowedPattern || undefined,
          dataType,
          tier,
          modifiedAt: ctx.clock.now().getTime(),
          modifiedUser: ctx.caller.kind === 'anonymous' ? '' : ctx.caller.arn,
        },
        existing ? existing.tags : mergeTags([], input.tags ?? []),
      );
      return { Version: version, Tier: tier };
    },
  };
}

/** The tier a version is stored in, within its value limits. */
function resolveTier(asked: (typeof TIERS)[number], value: string, previous: StoredTier | undefined): StoredTier {
  const tier: StoredTier =
    asked === 'Intelligent-Tiering'
      ? value.length > STANDARD_MAX || previous === 'Advanced'
        ? 'Advanced'
        : 'Standard'
      : asked;
  if (previous === 'Advanced' && tier === 'Standard') throw ssmErrors.tierDowngrade();
  if (tier === 'Standard' && value.length > STANDARD_MAX) throw ssmErrors.standardTooLarge();
  if (value.length > ADVANCED_MAX) throw ssmErrors.advancedTooLarge();
  return tier;
}

/** text for any parameter; aws:ec2:image for String values that are image ids. */
function checkDataType(dataType: string, type: ParameterType, value: string): string {
  if (dataType === 'text') return dataType;
  if (dataType === 'aws:ssm:integration') throw ssmErrors.unsupported('the aws:ssm:integration data type');
  if (dataType !== 'aws:ec2:image') throw ssmErrors.dataType(dataType);
  if (type !== 'String') throw ssmErrors.dataTypeNeedsString();
  if (!IMAGE_ID.test(value)) throw ssmErrors.imageId();
  return dataType;
}
