/**
 * Which commit actions/checkout fetches and how it names the local branch, as the real action
 * decides: with no `ref` input and the workflow's own repository, the triggering ref at
 * GITHUB_SHA; otherwise the given branch, tag or commit sha.
 */

export interface CheckoutRef {
  /** The refspec to fetch, e.g. `+<sha>:refs/remotes/origin/main`. */
  refspec: string;
  /** What follows `git checkout --progress --force`. */
  checkoutArgs: string[];
  /** The `ref` output. */
  outputRef: string;
}

export function resolveCheckoutRef(input: {
  input: string;
  repository: string;
  eventRepository?: string;
  eventRef?: string;
  eventSha?: string;
}): CheckoutRef {
  let ref = input.input;
  let sha = '';
  if (!ref && input.repository.toLowerCase() === (input.eventRepository ?? '').toLowerCase()) {
    ref = input.eventRef ?? '';
    sha = input.eventSha ?? '';
  }
  if (!ref && !sha) ref = 'HEAD';
  if (/^[0-9a-f]{40}$/i.test(ref)) {
    sha = ref;
    ref = '';
  }
  const branch = ref.startsWith('refs/heads/')
    ? ref.slice('refs/heads/'.length)
    : ref.startsWith('refs/') || ref === 'HEAD'
      ? ''
      : ref;
  const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : '';
  if (tag) {
    return { refspec: `+${sha || ref}:refs/tags/${tag}`, checkoutArgs: [`refs/tags/${tag}`], outputRef: ref };
  }
  if (branch) {
    return {
      refspec: `+${sha || `refs/heads/${branch}`}:refs/remotes/origin/${branch}`,
      checkoutArgs: ['-B', branch, `refs/remotes/origin/${branch}`],
      outputRef: `refs/heads/${branch}`,
    };
  }
  if (sha) return { refspec: sha, checkoutArgs: [sha], outputRef: ref };
  return { refspec: '+HEAD:refs/remotes/origin/HEAD', checkoutArgs: ['refs/remotes/origin/HEAD'], outputRef: ref };
}

/** The git config key the real action uses for its auth header: `http.<server>/.extraheader`. */
export function extraHeaderKey(serverUrl: string): string {
  return `http.${serverUrl.replace(/\/+$/, '')}/.extraheader`;
}
