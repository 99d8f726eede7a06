/**
 * DescribeParameters: every parameter's metadata (never its value), filtered by
 * ParameterFilters or the older Filters (not both), by name, 10 a page unless MaxResults says
 * otherwise (up to 50). Shared parameters (Shared) are refused: one account per cloud.
 */
import type { Operation } from '../../../core/operation.js';
import { pageAfterKey } from '../../../core/pagination.js';
import { onAccount } from '../authorization.js';
import { ssmErrors } from '../errors.js';
import {
  checkFilters,
  matchesFilters,
  readLegacyFilters,
  readParameterFilters,
  type ParameterFilter,
} from '../filters.js';
import { metadataOutput } from '../outputs.js';
import type { ParameterStore } from '../store.js';

interface DescribeInput {
  filters?: ParameterFilter[];
  legacy?: ParameterFilter[];
  maxResults?: number;
  nextToken?: string;
  shared: boolean;
}

export function describeParameters(store: ParameterStore): Operation<DescribeInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      filters: readParameterFilters(r),
      legacy: readLegacyFilters(r),
      maxResults: r.integer('MaxResults', { min: 1, max: 50 }),
      nextToken: r.string('NextToken', { max: 1024 }),
      shared: r.boolean('Shared') ?? false,
    }),
    authorize: (_input, ctx) => onAccount(ctx, 'DescribeParameters'),
    run: (input, ctx) => {
      if (input.filters && input.legacy) throw ssmErrors.filtersAndParameterFilters();
      if (input.shared) throw ssmErrors.unsupported('shared parameters (Shared): this cloud has one account');
      const filters = input.filters ?? input.legacy ?? [];
      checkFilters(filters, 'describe');
      const matching = store.list().filter((p) => matchesFilters(p, p.latest, filters));
      const page = pageAfterKey(
        matching,
        { limit: input.maxResults ?? 10, token: input.nextToken },
        (p) => p.key,
        ssmErrors.invalidNextToken,
      );
      return { Parameters: page.items.map((p) => metadataOutput(p, ctx)), NextToken: page.nextToken };
    },
  };
}
