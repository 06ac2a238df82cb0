import { type LambdaClient, ListAliasesCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { apiCall } from './deploy-error.js';

/** The published version numbers of a function (`$LATEST` left out), in numeric order. */
export async function listPublishedVersions(
  lambda: LambdaClient,
  service: string,
  functionName: string,
): Promise<string[]> {
  const versions: string[] = [];
  let marker: string | undefined;
  do {
    const page = await apiCall(service, 'ListVersionsByFunction', () =>
      lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }),
      ),
    );
    for (const version of page.Versions ?? []) {
      if (version.Version !== undefined && version.Version !== '$LATEST') versions.push(version.Version);
    }
    marker = page.NextMarker;
  } while (marker !== undefined);
  return versions.sort((a, b) => Number(a) - Number(b));
}

/** Each version an alias of the function sends invocations to (its routing's extra versions too), with the aliases. */
export async function listAliasTargets(
  lambda: LambdaClient,
  service: string,
  functionName: string,
): Promise<Map<string, string[]>> {
  const targets = new Map<string, string[]>();
  const add = (version: string | undefined, alias: string) => {
    if (version !== undefined) targets.set(version, [...(targets.get(version) ?? []), alias]);
  };
  let marker: string | undefined;
  do {
    const page = await apiCall(service, 'ListAliases', () =>
      lambda.send(new ListAliasesCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const alias of page.Aliases ?? []) {
      const name = alias.Name ?? '?';
      add(alias.FunctionVersion, name);
      for (const weighted of Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {})) add(weighted, name);
    }
    marker = page.NextMarker;
  } while (marker !== undefined);
  return targets;
}
