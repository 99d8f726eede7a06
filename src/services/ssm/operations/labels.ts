/**
 * LabelParameterVersion and UnlabelParameterVersion. A label that breaks Parameter Store's
 * rules is not an error: it comes back in InvalidLabels and the valid ones are applied.
 */
import type { Operation } from '../../../core/operation.js';
import { onParameter } from '../authorization.js';
import { ssmErrors } from '../errors.js';
import { readLabels, readName } from '../input-rules.js';
import type { Parameter } from '../model.js';
import { parameterKey, validLabel } from '../names.js';
import type { ParameterStore } from '../store.js';

interface LabelInput {
  name: string;
  version?: number;
  labels: string[];
}

function requireParameter(store: ParameterStore, name: string): Parameter {
  const parameter = store.get(parameterKey(name));
  if (!parameter) throw ssmErrors.notFoundNamed(name);
  return parameter;
}

function requireVersion(store: ParameterStore, parameter: Parameter, name: string, version: number): void {
  if (!store.versions(parameter.key).some((v) => v.version === version)) throw ssmErrors.versionNotFound(name, version);
}

/** LabelParameterVersion: the latest version unless ParameterVersion names another. */
export function labelParameterVersion(store: ParameterStore): Operation<LabelInput, Record<string, unknown>> {
  return {
    input: (r) => ({ name: readName(r), version: r.integer('ParameterVersion'), labels: readLabels(r) }),
    authorize: (input, ctx) => [onParameter(store, ctx, 'LabelParameterVersion', input.name)],
    run: (input) => {
      const parameter = requireParameter(store, input.name);
      const version = input.version ?? parameter.latest.version;
      requireVersion(store, parameter, input.name, version);
      const invalid = input.labels.filter((l) => !validLabel(l));
      store.label(
        parameter.key,
        version,
        input.labels.filter((l) => validLabel(l)),
      );
      return { InvalidLabels: invalid.length > 0 ? invalid : undefined, ParameterVersion: version };
    },
  };
}

export function unlabelParameterVersion(
  store: ParameterStore,
): Operation<Required<LabelInput>, Record<string, unknown>> {
  return {
    input: (r) => ({
      name: readName(r),
      version: r.integer('ParameterVersion', { required: true }),
      labels: readLabels(r),
    }),
    authorize: (input, ctx) => [onParameter(store, ctx, 'UnlabelParameterVersion', input.name)],
    run: (input) => {
      const parameter = requireParameter(store, input.name);
      requireVersion(store, parameter, input.name, input.version);
      const removed = store.unlabel(parameter.key, input.version, input.labels);
      return { RemovedLabels: removed, InvalidLabels: input.labels.filter((l) => !removed.includes(l)) };
    },
  };
}
