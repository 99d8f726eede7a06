/**
 * Parameters in Parameter Store's wire shapes: Parameter (the Get operations), ParameterHistory
 * (GetParameterHistory) and ParameterMetadata (DescribeParameters). A SecureString read
 * without WithDecryption shows its placeholder ciphertext, never the value.
 */
import type { RequestContext } from '../../core/operation.js';
import { DEFAULT_KEY_ID, type Parameter, type ParameterVersion } from './model.js';
import { parameterArn } from './names.js';

function shownValue(version: ParameterVersion, decrypt: boolean): string {
  return version.type === 'SecureString' && !decrypt ? (version.ciphertext ?? '') : version.value;
}

function keyId(version: ParameterVersion): string | undefined {
  return version.type === 'SecureString' ? (version.keyId ?? DEFAULT_KEY_ID) : undefined;
}

/** Parameter: what GetParameter, GetParameters and GetParametersByPath return. */
export function parameterOutput(
  parameter: Parameter,
  version: ParameterVersion,
  decrypt: boolean,
  ctx: RequestContext,
  selector?: string,
): Record<string, unknown> {
  return {
    Name: parameter.name,
    Type: version.type,
    Value: shownValue(version, decrypt),
    Version: version.version,
    Selector: selector,
    LastModifiedDate: new Date(version.modifiedAt),
    ARN: parameterArn(ctx, parameter.name),
    DataType: version.dataType,
  };
}

export function historyOutput(
  parameter: Parameter,
  version: ParameterVersion,
  decrypt: boolean,
): Record<string, unknown> {
  return {
    Name: parameter.name,
    Type: version.type,
    KeyId: keyId(version),
    LastModifiedDate: new Date(version.modifiedAt),
    LastModifiedUser: version.modifiedUser,
    Description: version.description,
    Value: shownValue(version, decrypt),
    AllowedPattern: version.allowedPattern,
    Version: version.version,
    Labels: version.labels,
    Tier: version.tier,
    Policies: [],
    DataType: version.dataType,
  };
}

export function metadataOutput(parameter: Parameter, ctx: RequestContext): Record<string, unknown> {
  const version = parameter.latest;
  return {
    Name: parameter.name,
    ARN: parameterArn(ctx, parameter.name),
    Type: version.type,
    KeyId: keyId(version),
    LastModifiedDate: new Date(version.modifiedAt),
    LastModifiedUser: version.modifiedUser,
    Description: version.description,
    AllowedPattern: version.allowedPattern,
    Version: version.version,
    Tier: version.tier,
    Policies: [],
    DataType: version.dataType,
  };
}
