/**
 * DeleteParameter and DeleteParameters: a parameter goes with all its versions and labels.
 * DeleteParameters reports what it deleted and what it did not find, in the order asked.
 */
import type { Operation } from '../../../core/operation.js';
import { onParameter } from '../authorization.js';
import { ssmErrors } from '../errors.js';
import { readName, readNames } from '../input-rules.js';
import { parameterKey } from '../names.js';
import type { ParameterStore } from '../store.js';

export function deleteParameter(store: ParameterStore): Operation<{ name: string }, Record<string, never>> {
  return {
    input: (r) => ({ name: readName(r) }),
    authorize: (input, ctx) => [onParameter(store, ctx, 'DeleteParameter', input.name)],
    run: (input) => {
      if (!store.delete(parameterKey(input.name))) throw ssmErrors.notFoundNamed(input.name);
      return {};
    },
  };
}

export function deleteParameters(
  store: ParameterStore,
): Operation<{ names: string[] }, { DeletedParameters: string[]; InvalidParameters: string[] }> {
  return {
    input: (r) => ({ names: [...new Set(readNames(r))] }),
    authorize: (input, ctx) => input.names.map((name) => onParameter(store, ctx, 'DeleteParameters', name)),
    run: (input) => {
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const name of input.names) (store.delete(parameterKey(name)) ? deleted : invalid).push(name);
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    },
  };
}
