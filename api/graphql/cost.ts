import type { DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLError as GraphQLErrorType, SelectionSetNode, ValueNode } from 'graphql';
import { GraphQLError, Kind } from './graphql-js.ts';
import { LIMITS_GQL } from './filters.ts';

/** Estimated objects one query may resolve. */
export const MAX_QUERY_COST = 10_000;

type Variables = Readonly<Record<string, unknown>> | undefined;

/**
 * Refuses a query whose estimated size is above MAX_QUERY_COST before anything runs: each field counts once per
 * parent object, and a list field (one taking `first`, or selecting `edges`) multiplies what it selects by its page
 * size (`first`, from the query or its variables; default 20). `first: 100` nested three deep is a million objects:
 * the estimate stops it, where the depth limit alone would not. Runs before execution (it needs the variables),
 * as a plain walk of the already validated document.
 */
export function queryTooLarge(document: DocumentNode, variables: Variables): GraphQLErrorType | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const cost = selectionCost(definition.selectionSet, fragments, variables, 1, 0);
    if (cost > MAX_QUERY_COST) {
      return new GraphQLError(`the query may resolve about ${Math.round(cost)} objects; at most ${MAX_QUERY_COST} are allowed (ask for smaller pages)`, {
        nodes: [definition],
        extensions: { code: 'QUERY_TOO_COMPLEX', details: { estimated: Math.round(cost), max: MAX_QUERY_COST } },
      });
    }
  }
  return undefined;
}

function selectionCost(
  selectionSet: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Variables,
  multiplier: number,
  depth: number,
): number {
  if (!selectionSet || depth > 32) return 0;
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      total += multiplier * (1 + selectionCost(selection.selectionSet, fragments, variables, pageSize(selection, variables), depth + 1));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += selectionCost(selection.selectionSet, fragments, variables, multiplier, depth + 1);
    } else {
      total += selectionCost(fragments.get(selection.name.value)?.selectionSet, fragments, variables, multiplier, depth + 1);
    }
    if (total > MAX_QUERY_COST * 100) return total;
  }
  return total;
}

function pageSize(field: FieldNode, variables: Variables): number {
  const first = field.arguments?.find((argument) => argument.name.value === 'first');
  if (first) return numberOf(first.value, variables) ?? LIMITS_GQL.firstDefault;
  const isConnection = field.selectionSet?.selections.some((selection) => selection.kind === Kind.FIELD && (selection.name.value === 'edges' || selection.name.value === 'pageInfo'));
  return isConnection ? LIMITS_GQL.firstDefault : 1;
}

function numberOf(value: ValueNode, variables: Variables): number | undefined {
  if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
  if (value.kind === Kind.VARIABLE) {
    const given = variables?.[value.name.value];
    return typeof given === 'number' && Number.isFinite(given) ? Math.max(1, given) : undefined;
  }
  return undefined;
}
