import {
  CreateScheduleCommand,
  type CreateScheduleInput,
  GetScheduleCommand,
  type GetScheduleOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { sweepEvent } from '@durable/core';
import { apiCall, isNotFound } from './deploy-error.js';

/** How often the sweeper runs: what is due waits at most this long (plus the sweep itself). */
export const SWEEP_RATE = 'rate(1 minute)';

/** What deploy did about a service's sweep schedule. */
export type ScheduleOutcome =
  | { name: string; arn: string | undefined; change: 'created' | 'updated' | 'unchanged' }
  | { skipped: string };

/** The schedule of `service`: one per service, in the default group. */
export function sweepScheduleName(service: string): string {
  return `durable-sweep-${service}`;
}

/**
 * Makes EventBridge Scheduler send `service`'s sweep event to its alias
 * every minute: created when missing, updated only when it differs. The
 * sweep resumes due executions on their pinned versions, so the schedule
 * targets the alias (whichever version is live does the sweeping).
 */
export async function ensureSweepSchedule(
  scheduler: SchedulerClient,
  target: { service: string; aliasArn: string; roleArn: string },
): Promise<ScheduleOutcome> {
  const { service } = target;
  const desired: CreateScheduleInput = {
    Name: sweepScheduleName(service),
    ScheduleExpression: SWEEP_RATE,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Description: `durable-gen: resumes due executions of service '${service}'`,
    Target: {
      Arn: target.aliasArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify(sweepEvent(service)),
      // A missed sweep is not worth retrying: the next one comes a minute later and finds the same work.
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
    },
  };
  const current = await apiCall(service, 'GetSchedule', async () => {
    try {
      return await scheduler.send(new GetScheduleCommand({ Name: desired.Name }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  if (current === undefined) {
    const created = await apiCall(service, 'CreateSchedule', () => scheduler.send(new CreateScheduleCommand(desired)));
    return { name: desired.Name!, arn: created.ScheduleArn, change: 'created' };
  }
  if (sameSchedule(current, desired)) return { name: desired.Name!, arn: current.Arn, change: 'unchanged' };
  const updated = await apiCall(service, 'UpdateSchedule', () => scheduler.send(new UpdateScheduleCommand(desired)));
  return { name: desired.Name!, arn: updated.ScheduleArn, change: 'updated' };
}

function sameSchedule(current: GetScheduleOutput, desired: CreateScheduleInput): boolean {
  const retry = current.Target?.RetryPolicy;
  return (
    current.ScheduleExpression === desired.ScheduleExpression &&
    current.State === desired.State &&
    current.FlexibleTimeWindow?.Mode === desired.FlexibleTimeWindow?.Mode &&
    current.Description === desired.Description &&
    current.Target?.Arn === desired.Target?.Arn &&
    current.Target?.RoleArn === desired.Target?.RoleArn &&
    current.Target?.Input === desired.Target?.Input &&
    retry?.MaximumRetryAttempts === desired.Target?.RetryPolicy?.MaximumRetryAttempts &&
    retry?.MaximumEventAgeInSeconds === desired.Target?.RetryPolicy?.MaximumEventAgeInSeconds
  );
}
