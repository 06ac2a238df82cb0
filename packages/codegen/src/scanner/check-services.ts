import { duplicateNameProblems, functionNameProblem } from '@durable/core';
import type { Diagnostic } from '../diagnostics.js';
import { backendOf, type ServiceModel } from '../model.js';
import { report } from './locate.js';

/**
 * The checks across what was scanned: unique service names, unique workflow
 * and step names in each service (core's rule), a `functionName` that fits
 * where the service deploys, and invokes that reach a scanned workflow on the
 * caller's own backend, in its own account and region. `defaultAccount` and `defaultRegion` place
 * the services whose decorator names none; unknown, they are not compared.
 */
export function checkServices(
  services: readonly ServiceModel[],
  defaultAccount: string | undefined,
  diagnostics: Diagnostic[],
  defaultRegion?: string,
): void {
  const byName = new Map<string, ServiceModel>();
  for (const service of services) {
    const other = byName.get(service.name);
    if (other !== undefined) {
      report(
        diagnostics,
        service.location,
        'duplicate-service',
        `Service name '${service.name}' is used by ${other.className} (${other.source}:${other.location.line}) and ${service.className}: each service needs its own name.`,
      );
    } else {
      byName.set(service.name, service);
    }
    const duplicates = [
      ...duplicateNameProblems(service.className, 'workflow', service.workflows).map((d) => ({
        ...d,
        what: 'workflow',
      })),
      ...duplicateNameProblems(service.className, 'step', service.steps).map((d) => ({ ...d, what: 'step' })),
    ];
    for (const { entry, message, what } of duplicates)
      report(diagnostics, entry.location, `duplicate-${what}`, message);
    if (service.functionName !== undefined) {
      const placement = { account: service.account ?? defaultAccount, region: service.region ?? defaultRegion };
      const problem = functionNameProblem(service.functionName, placement);
      if (problem !== undefined) {
        report(diagnostics, service.location, problem.kind, `${service.className} functionName: ${problem.message}.`);
      }
    }
  }
  for (const service of services) {
    for (const invoke of service.invokes) {
      const target = byName.get(invoke.service);
      if (target === undefined) {
        report(
          diagnostics,
          invoke.location,
          'unknown-invoke-target',
          `${service.className} invokes service '${invoke.service}', which no scanned @DurableService is named. Scanned: ${[...byName.keys()].join(', ') || '(none)'}.`,
        );
        continue;
      }
      if (!target.workflows.some((w) => w.name === invoke.workflow)) {
        report(
          diagnostics,
          invoke.location,
          'unknown-invoke-target',
          `${service.className} invokes '${invoke.service}.${invoke.workflow}', but ${target.className} has no workflow '${invoke.workflow}' (it has: ${target.workflows.map((w) => w.name).join(', ') || 'none'}).`,
        );
      }
      if (backendOf(service) !== backendOf(target)) {
        // Each backend answers invokes its own way: core's child protocol over Lambda, or the service's chained invoke.
        report(
          diagnostics,
          invoke.location,
          'cross-backend-invoke',
          `${service.className} (backend '${backendOf(service)}') invokes '${target.name}', which runs on backend ` +
            `'${backendOf(target)}': an invoke reaches only a service on its own backend (the child would refuse ` +
            'the call, or answer it in a form the caller cannot read). Declare both with the same backend in ' +
            '@DurableService({ backend }).',
        );
        continue;
      }
      const callerAccount = service.account ?? defaultAccount;
      const targetAccount = target.account ?? defaultAccount;
      if (callerAccount !== undefined && targetAccount !== undefined && callerAccount !== targetAccount) {
        report(
          diagnostics,
          invoke.location,
          'cross-account-invoke',
          `${service.className} (account ${callerAccount}) invokes '${target.name}' in account ${targetAccount}: durable invokes stay in one account. Deploy both in one account, or call the other account through an API.`,
        );
        continue;
      }
      const callerRegion = service.region ?? defaultRegion;
      const targetRegion = target.region ?? defaultRegion;
      if (callerRegion !== undefined && targetRegion !== undefined && callerRegion !== targetRegion) {
        report(
          diagnostics,
          invoke.location,
          'cross-region-invoke',
          `${service.className} (region ${callerRegion}) invokes '${target.name}' in region ${targetRegion}: durable invokes stay in one region (the caller's policy allows invoking only there). Deploy both in one region.`,
        );
      }
    }
  }
}
