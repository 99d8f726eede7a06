/**
 * IAM's entities as the store keeps them and the rest of the cloud reads them: roles, users
 * with their access keys, groups, inline policies, managed policies with their versions, and
 * OpenID Connect providers. Policy documents are plain JSON text here; only the wire shows them
 * URL-encoded.
 */

/** A tag on an IAM resource. Keys are unique case-insensitively, as IAM has them. */
export interface Tag {
  key: string;
  value: string;
}

/** An IAM role. */
export interface Role {
  roleName: string;
  /** AROA… */
  roleId: string;
  /** arn:aws:iam::ACCOUNT:role/PATH/NAME (the path is part of the ARN). */
  arn: string;
  path: string;
  /** The trust policy, plain JSON text as it was given. */
  assumeRolePolicyDocument: string;
  /** Seconds, 3600..43200. */
  maxSessionDuration: number;
  createDate: Date;
  description?: string;
  /** ARN of the managed policy used as the role's permissions boundary. */
  permissionsBoundary?: string;
  tags: Tag[];
}

/** An inline policy embedded in a role. */
export interface InlinePolicy {
  policyName: string;
  document: string;
}

/** A managed policy: the account's own (customer managed) or one of AWS's. */
export interface ManagedPolicy {
  arn: string;
  /** ANPA… */
  policyId: string;
  policyName: string;
  path: string;
  description?: string;
  defaultVersionId: string;
  createDate: Date;
  /** When the newest version was created (the create date while there is only v1). */
  updateDate: Date;
  tags: Tag[];
  /** True for arn:aws:iam::aws:policy/…: read-only for the account. */
  awsManaged: boolean;
}

/** One version of a managed policy. */
export interface PolicyVersion {
  versionId: string;
  document: string;
  createDate: Date;
  isDefaultVersion: boolean;
}

/** An IAM OpenID Connect identity provider. */
export interface OidcProvider {
  /** arn:aws:iam::ACCOUNT:oidc-provider/HOST[/PATH] */
  arn: string;
  /** The issuer without its scheme: token.actions.githubusercontent.com */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: Date;
  tags: Tag[];
}

/** An IAM user. */
export interface User {
  userName: string;
  /** AIDA… */
  userId: string;
  /** arn:aws:iam::ACCOUNT:user/PATH/NAME (the path is part of the ARN). */
  arn: string;
  path: string;
  createDate: Date;
  /** ARN of the managed policy used as the user's permissions boundary. */
  permissionsBoundary?: string;
  tags: Tag[];
}

/** An IAM group. */
export interface Group {
  groupName: string;
  /** AGPA… */
  groupId: string;
  /** arn:aws:iam::ACCOUNT:group/PATH/NAME */
  arn: string;
  path: string;
  createDate: Date;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

/** A user's long-term access key (AKIA…). It belongs to the user's unique id, not its name. */
export interface AccessKey {
  accessKeyId: string;
  userId: string;
  secretAccessKey: string;
  status: AccessKeyStatus;
  createDate: Date;
}

/** When, where and for what a key was last used; absent members mean never. */
export interface AccessKeyUse {
  date: Date;
  /** The signing name of the service called: iam, sts, ecr, … */
  service: string;
  region: string;
}
