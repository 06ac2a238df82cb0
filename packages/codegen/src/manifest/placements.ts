import { DEFAULT_TABLE } from '@durable/core';
import type { Placement } from '../emit/iam.js';
import type { ServiceModel } from '../model.js';

/** The checkpoint table of services that name none, in the decorator or with `--table`: core's default. */
export { DEFAULT_TABLE };

/** Account, region and table for the services whose decorator names none. */
export interface PlacementDefaults {
  account?: string;
  region?: string;
  table?: string;
}

/** Where each service deploys, by service name; and the services that cannot be placed yet. */
export interface ServicePlacements {
  byService: Map<string, Placement>;
  unplaced: Array<{ service: ServiceModel; missing: Array<'account' | 'region'> }>;
}

/**
 * Each service's placement: its decorator's `account`, `region` and `table`,
 * else the defaults (the command line's, else what the last `generate`
 * recorded), else the default table. A service without an account or region
 * is `unplaced`: its IAM policy and ARNs cannot be written.
 */
export function resolvePlacements(services: readonly ServiceModel[], defaults: PlacementDefaults): ServicePlacements {
  const placements: ServicePlacements = { byService: new Map(), unplaced: [] };
  for (const service of services) {
    const account = service.account ?? defaults.account;
    const region = service.region ?? defaults.region;
    if (account === undefined || region === undefined) {
      const missing = [
        ...(account === undefined ? ['account' as const] : []),
        ...(region === undefined ? ['region' as const] : []),
      ];
      placements.unplaced.push({ service, missing });
      continue;
    }
    placements.byService.set(service.name, {
      account,
      region,
      table: service.table ?? defaults.table ?? DEFAULT_TABLE,
    });
  }
  return placements;
}
