/**
 * The shapes SigV4 verification speaks: the request as the HTTP adapter received it, the secret
 * a key id resolves to, and the outcome. Kept apart from the verifier so its helpers can share
 * them without importing each other in a circle.
 */

/** A request as received, before anything has been decoded. */
export interface IncomingSignedRequest {
  method: string;
  /** The raw request target path as received (before percent-decoding), without the query string. */
  path: string;
  /** The raw query string as received, without '?', possibly empty. */
  query: string;
  /**
   * Header names lower-case, as Node's IncomingMessage.headers gives them (arrays for repeated
   * headers). Prefer `IncomingMessage.headersDistinct`: `headers` has already joined most repeated
   * headers with ", ", which AWS would have joined with "," — the signature then cannot match.
   */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Hex SHA-256 of the request body (lower-case, as Node's digest('hex') gives it). */
  bodySha256: string;
}

/** What an access key id resolves to. */
export interface SigningSecret<P> {
  secretAccessKey: string;
  /** Present for temporary credentials: the request must carry exactly this X-Amz-Security-Token. */
  sessionToken?: string;
  /** When the credentials stop working; checked against the verifier's `now`. */
  expiresAt?: Date;
  /** Whatever the caller wants back on success (the identity behind the key). */
  principal: P;
}

/** Resolves an access key id to its secret; undefined for keys that do not exist. */
export type SecretLookup<P> = (accessKeyId: string) => SigningSecret<P> | undefined;

/** The credential scope a request was signed for (the terminator is always aws4_request). */
export interface CredentialScope {
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

/** What the endpoint expects the credential to be scoped to. */
export interface ExpectedScope {
  /** The SigV4 signing name of the service being called: sts, iam, ecr, … */
  service: string;
  /**
   * The region the endpoint serves (IAM and STS's global endpoint want us-east-1). When absent,
   * any region of AWS's shape (us-east-1, us-gov-west-1, …) is accepted.
   */
  region?: string;
}

export type SigV4Result<P> =
  | { ok: true; accessKeyId: string; scope: CredentialScope; principal: P; presigned: boolean }
  | { ok: false; failure: SigV4Failure };

/**
 * Why a request was refused. Every `message` is AWS's own wording; the protocol layer picks the
 * error code for the wire (IncompleteSignature, SignatureDoesNotMatch / InvalidSignatureException,
 * InvalidClientTokenId / UnrecognizedClientException, ExpiredToken, AccessDenied, …).
 */
export type SigV4Failure =
  /** No Authorization header and no X-Amz-Algorithm query parameter (or an Authorization header that is not AWS4-*). */
  | { kind: 'missing' }
  /** Malformed Authorization header or presigned parameters. */
  | { kind: 'incomplete'; message: string }
  | { kind: 'unknownKey'; accessKeyId: string }
  /**
   * The signature does not verify, or the request is signed in a way AWS calls an invalid
   * signature (both auth forms at once, host not signed). On a real mismatch the canonical request
   * and string to sign are included, as AWS's JSON services include them in their message.
   */
  | { kind: 'mismatch'; message: string; canonicalRequest?: string; stringToSign?: string }
  /** Header form: request time more than 15 minutes off the server clock. */
  | { kind: 'skew'; message: string }
  /** Presigned form: past X-Amz-Date + X-Amz-Expires. */
  | { kind: 'presignExpired'; message: string }
  /** The key's session has expired (expiresAt <= now). */
  | { kind: 'expiredToken' }
  /** Session key without / with the wrong X-Amz-Security-Token, or a token sent with a long-term key. */
  | { kind: 'badToken' }
  /** Credential scope names another service or an invalid region, a bad terminator, or another day. */
  | { kind: 'wrongScope'; message: string };
