/**
 * TagResource and UntagResource on a secret named by name or ARN. Tag keys are case-sensitive;
 * a tag with an existing key replaces it; removing an absent key changes nothing.
 */
import type { Operation } from '../../../core/operation.js';
import { onSecret, requestTagContext } from '../authorization.js';
import { mergeTags, readSecretId, readTags } from '../input-rules.js';
import { requireSecret } from '../lookups.js';
import type { Tag } from '../model.js';
import type { SecretsStore } from '../store.js';

export function tagResource(store: SecretsStore): Operation<{ secretId: string; tags: Tag[] }, Record<string, never>> {
  return {
    input: (r) => ({ secretId: readSecretId(r), tags: readTags(r, true) ?? [] }),
    authorize: (input, ctx) => onSecret(store, ctx, 'TagResource', input.secretId, requestTagContext(input.tags)),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      store.setTags(secret.arn, mergeTags(secret.tags, input.tags), ctx.clock.now().getTime());
      return {};
    },
  };
}

export function untagResource(
  store: SecretsStore,
): Operation<{ secretId: string; tagKeys: string[] }, Record<string, never>> {
  return {
    input: (r) => ({
      secretId: readSecretId(r),
      tagKeys: r.stringList('TagKeys', { min: 1, max: 128, required: true }) ?? [],
    }),
    authorize: (input, ctx) => onSecret(store, ctx, 'UntagResource', input.secretId, { 'aws:TagKeys': input.tagKeys }),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      const removed = new Set(input.tagKeys);
      store.setTags(
        secret.arn,
        secret.tags.filter((t) => !removed.has(t.key)),
        ctx.clock.now().getTime(),
      );
      return {};
    },
  };
}
