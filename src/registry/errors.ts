/**
 * The registry's wire errors: the OCI distribution-spec error codes with their HTTP statuses,
 * built by the factories below (one place for every message), and written as
 * `{"errors":[{"code","message","detail"}]}`.
 */

/** The spec's error codes, plus UNKNOWN for internal failures (as distribution answers). */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'UNKNOWN';

/** An error the client is told about. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: RegistryErrorCode,
    message: string,
    readonly detail: unknown = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The OCI JSON body. */
  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, detail: this.detail }] });
  }
}

/** The catalogue: every error the registry answers with. */
export const registryErrors = {
  unauthorized: (challenge: string, message = 'Not Authorized') =>
    new RegistryError(401, 'UNAUTHORIZED', message, {}, { 'www-authenticate': challenge }),
  /** ECR's wording when the Basic password is past its 12 hours. */
  expired: (challenge: string) =>
    registryErrors.unauthorized(challenge, 'Your authorization token has expired. Reauthenticate and try again.'),
  /** The authorizer's message is ECR's: "User: ARN is not authorized to perform: ACTION on resource: ARN because …". */
  denied: (message: string) => new RegistryError(403, 'DENIED', message),
  nameInvalid: (name: string) =>
    new RegistryError(400, 'NAME_INVALID', `invalid repository name '${name.slice(0, 300)}'`, {
      name: name.slice(0, 300),
    }),
  nameUnknown: (name: string, registryId: string) =>
    new RegistryError(
      404,
      'NAME_UNKNOWN',
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
      { name },
    ),
  blobUnknown: (digest: string) => new RegistryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', { digest }),
  blobUploadUnknown: (id: string) =>
    new RegistryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uuid: id.slice(0, 100) }),
  blobUploadInvalid: (message: string) => new RegistryError(400, 'BLOB_UPLOAD_INVALID', message),
  /** An out-of-order, retried or mis-sized chunk; `Range` tells the client where the upload stands. */
  rangeInvalid: (size: number, id: string) =>
    new RegistryError(
      416,
      'BLOB_UPLOAD_INVALID',
      'chunk does not continue the upload at its current offset',
      { uuid: id },
      { range: uploadRange(size) },
    ),
  digestInvalid: (message: string, digest?: string) =>
    new RegistryError(400, 'DIGEST_INVALID', message, digest ? { digest } : {}),
  manifestUnknown: (reference: string, message = 'manifest unknown to registry') =>
    new RegistryError(404, 'MANIFEST_UNKNOWN', message, { reference }),
  manifestInvalid: (message: string) => new RegistryError(400, 'MANIFEST_INVALID', message),
  manifestBlobUnknown: (digest: string) =>
    new RegistryError(
      400,
      'MANIFEST_BLOB_UNKNOWN',
      'manifest references a blob or manifest unknown to the repository',
      { digest },
    ),
  manifestTooLarge: (limit: number) =>
    new RegistryError(413, 'SIZE_INVALID', `manifest exceeds the limit of ${limit} bytes`, { limit }),
  tagInvalid: (message: string) => new RegistryError(400, 'TAG_INVALID', message),
  /** ECR's data-plane message for an immutable tag (status 400: not confirmed by a public source). */
  tagImmutable: (tag: string, repository: string) =>
    registryErrors.tagInvalid(
      `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
    ),
  unsupported: (message: string, status = 405) => new RegistryError(status, 'UNSUPPORTED', message),
  rangeNotSatisfiable: (size: number) =>
    new RegistryError(
      416,
      'BLOB_UNKNOWN',
      'requested range not satisfiable',
      { size },
      { 'content-range': `bytes */${size}` },
    ),
  internal: () => new RegistryError(500, 'UNKNOWN', 'The registry failed to process the request.'),
};

/** The `Range` header of an upload: `0-<last byte>`; distribution writes `0-0` for an empty upload. */
export function uploadRange(size: number): string {
  return `0-${Math.max(size - 1, 0)}`;
}
