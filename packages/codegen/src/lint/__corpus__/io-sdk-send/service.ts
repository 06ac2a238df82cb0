import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

const s3Client = new S3Client({});

@DurableService()
export class ArchiveService {
  private readonly db = new DynamoDBClient({});

  @Workflow()
  async archive(_ctx: DurableContext, input: { id: string }): Promise<void> {
    await this.db.send(new PutItemCommand({ TableName: 't', Item: { id: { S: input.id } } })); // expect: io-outside-step
    const put = new PutObjectCommand({ Bucket: 'b', Key: input.id });
    await s3Client.send(put); // expect: io-outside-step
  }
}
