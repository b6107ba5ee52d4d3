import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';

import { AppError } from '../errors.ts';
import type { GraphQLContext } from './context.ts';

/** The builder, its plugins and scalars; types live in the modules beside it. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    File: { Input: File; Output: never };
  };
}>({
  plugins: [ErrorsPlugin, RelayPlugin],
  defaultFieldNullability: false,
  errors: { defaultTypes: [AppError], directResult: true },
  relay: { nodeQueryOptions: false, nodesQueryOptions: false, cursorType: 'String' },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
