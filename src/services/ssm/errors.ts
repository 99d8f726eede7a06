/**
 * Parameter Store's error catalogue: one factory per situation, named as the SDK's exception
 * classes and worded as Systems Manager words them. Messages marked "unverified" follow its
 * style but were not seen in an AWS response. None of them ever carries a parameter's value.
 */
import { AwsError, type ErrorCatalogue } from '../../core/errors.js';

const error = (code: string, message: string): AwsError => new AwsError(code, message, { status: 400 });

const NAME_RULES =
  'If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

export const ssmErrors = {
  /** GetParameter's ParameterNotFound carries no message on AWS. */
  notFound: () => error('ParameterNotFound', ''),
  notFoundNamed: (name: string) => error('ParameterNotFound', `Parameter ${name} not found.`),
  versionNotFound: (name: string, version: number | string) =>
    error(
      'ParameterVersionNotFound',
      `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
    ),
  alreadyExists: () =>
    error(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    ),
  invalidName: () =>
    error('ValidationException', `Parameter name: can't be prefixed with "ssm" (case-insensitive). ${NAME_RULES}`),
  reservedPrefix: () =>
    error('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`),
  reservedName: (name: string) => error('AccessDeniedException', `No access to reserved parameter name: ${name}.`),
  invalidPath: () =>
    error(
      'ValidationException',
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
    ),
  hierarchyTooDeep: () => error('HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.'),
  /** Unverified wording. */
  nameTooLong: (max: number) =>
    error(
      'ValidationException',
      `Parameter name: the name and the ARN before it can be at most 1011 characters; this name can have at most ${max}.`,
    ),
  typeRequired: () => error('ValidationException', 'A parameter type is required when you create a parameter.'),
  typeChange: () =>
    error(
      'HierarchyTypeMismatchException',
      "Parameter Store doesn't support changing a parameter type in a hierarchy. For example, you can't change a parameter from a String type to a SecureString type. You must create a new, unique parameter.",
    ),
  tagsWithOverwrite: () =>
    error(
      'ValidationException',
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    ),
  standardTooLarge: () =>
    error(
      'ValidationException',
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
    ),
  /** Unverified wording. */
  advancedTooLarge: () =>
    error('ValidationException', 'Advanced tier parameters support a maximum parameter value of 8192 characters.'),
  /** Unverified wording. */
  tierDowngrade: () =>
    error(
      'ValidationException',
      "You can't change an advanced parameter to a standard parameter. Delete it and create it again as a standard parameter.",
    ),
  dataType: (dataType: string) =>
    error(
      'ValidationException',
      `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`,
    ),
  /** Unverified wording. */
  dataTypeNeedsString: () =>
    error('ValidationException', 'A data type other than text is supported for String parameters only.'),
  /** Our own: AWS checks the image asynchronously; dockyard checks its id's form at once. */
  imageId: () =>
    error(
      'ValidationException',
      'Parameter value is not a valid Amazon Machine Image ID (ami-…) for data type aws:ec2:image.',
    ),
  /** Unverified wording. */
  keyIdNeedsSecure: () => error('ValidationException', 'KeyId is supported for SecureString parameters only.'),
  patternMismatch: (pattern: string) =>
    error(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${pattern}`,
    ),
  /** Unverified wording. */
  invalidPattern: (reason: string) =>
    error('InvalidAllowedPatternException', `The allowed pattern is not a valid regular expression: ${reason}`),
  maxVersions: (name: string, oldest: number) =>
    error(
      'ParameterMaxVersionLimitExceeded',
      `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
    ),
  labelLimit: () =>
    error(
      'ParameterVersionLabelLimitExceeded',
      'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
    ),
  filtersAndParameterFilters: () =>
    error('ValidationException', 'You can use either Filters or ParameterFilters in a single request.'),
  filterKey: (key: string, valid: readonly string[]) =>
    error(
      'InvalidFilterKey',
      `The following filter key is not valid: ${key}. Valid filter keys include: [${valid.join(', ')}].`,
    ),
  duplicateFilter: (key: string) =>
    error(
      'InvalidFilterKey',
      `The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a specific filter.`,
    ),
  filterOption: (option: string, valid: readonly string[]) =>
    error(
      'InvalidFilterOption',
      `The following filter option is not valid: ${option}. Valid options include: [${valid.join(', ')}].`,
    ),
  filterValue: (value: string, valid: readonly string[]) =>
    error(
      'InvalidFilterValue',
      `The following filter value is not valid: ${value}. Valid values include: [${valid.join(', ')}].`,
    ),
  filterValuesMissing: (key: string) =>
    error('InvalidFilterValue', `The following filter values are missing : null for filter key ${key}.`),
  /** Unverified wording. */
  invalidNextToken: () => error('InvalidNextToken', 'The specified token is not valid.'),
  invalidResourceType: () =>
    error('InvalidResourceType', "dockyard's Systems Manager tags parameters only (ResourceType Parameter)."),
  invalidResourceId: () => error('InvalidResourceId', 'Invalid Resource Id'),
  /** Unverified wording. */
  tooManyTags: () => error('TooManyTagsError', 'The Tags parameter can have at most 50 tags for a parameter.'),
  /** Our own: what this emulator refuses rather than pretends. */
  unsupported: (what: string) => error('ValidationException', `dockyard's Systems Manager does not support ${what}`),
} satisfies ErrorCatalogue;
