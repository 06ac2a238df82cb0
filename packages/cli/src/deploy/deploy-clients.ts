import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { isLoopback, localCredentials } from '../local-endpoint.js';
import { DeployError } from './deploy-error.js';

/** The API clients one deploy uses, all in one region. */
export interface DeployClients {
  lambda: LambdaClient;
  dynamoDb: DynamoDBClient;
  /** Absent with an endpoint: a local Lambda API has no EventBridge Scheduler (`durable-gen dev` sweeps by itself). */
  scheduler?: SchedulerClient;
  /** The region the clients resolved from the usual AWS configuration. */
  region: string;
  destroy(): void;
}

/**
 * The clients for `endpoint` (AWS's own when undefined), with the SDK's usual
 * credentials and region (`AWS_REGION`, `AWS_PROFILE`, …) unless `region` is given. The DynamoDB
 * client shares the endpoint: `durable-gen dev` serves both APIs on one URL.
 *
 * @throws DeployError `NO_REGION` when the configuration names no region.
 */
export async function openDeployClients(
  endpoint: string | undefined,
  configuredRegion?: string | undefined,
): Promise<DeployClients> {
  const shared = {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(configuredRegion === undefined ? {} : { region: configuredRegion }),
    ...(isLoopback(endpoint) ? localCredentials() : {}),
  };
  const lambda = new LambdaClient(shared);
  let region: string;
  try {
    region = await lambda.config.region();
  } catch (error) {
    lambda.destroy();
    throw new DeployError(
      'NO_REGION',
      'no AWS region is configured: set AWS_REGION (or a profile with a region) to the region the manifest names',
      { cause: error },
    );
  }
  const dynamoDb = new DynamoDBClient(shared);
  const scheduler = endpoint === undefined ? new SchedulerClient(shared) : undefined;
  return {
    lambda,
    dynamoDb,
    ...(scheduler === undefined ? {} : { scheduler }),
    region,
    destroy: () => {
      lambda.destroy();
      dynamoDb.destroy();
      scheduler?.destroy();
    },
  };
}
