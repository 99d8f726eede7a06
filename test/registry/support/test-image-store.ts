/**
 * The real ImageStore (ECR's, over SQLite) with one convenience for tests: creating a
 * repository directly, as CreateRepository would, without going through the control plane.
 */
import type { RepositoryInfo } from '../../../src/core/image-store.js';
import { EcrImageStore } from '../../../src/services/ecr/image-store.js';

export class TestImageStore extends EcrImageStore {
  createRepository(
    name: string,
    options: { tagMutability?: RepositoryInfo['tagMutability']; policyText?: string } = {},
  ): RepositoryInfo {
    this.repositories.create({
      name,
      tagMutability: options.tagMutability ?? 'MUTABLE',
      scanOnPush: false,
      encryption: { encryptionType: 'AES256' },
      tags: [],
      createdAt: new Date(),
    });
    if (options.policyText !== undefined) this.repositories.setPolicy(name, options.policyText);
    return this.getRepository(name) as RepositoryInfo;
  }
}
