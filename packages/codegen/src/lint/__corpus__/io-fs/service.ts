import { promises as fsp, readFileSync } from 'node:fs';
import { type DurableContext, DurableService, Workflow } from '@durable/core';
import * as fs from 'fs';
import { readFile } from 'fs/promises';

@DurableService()
export class ReportService {
  @Workflow()
  async build(_ctx: DurableContext, input: { path: string }): Promise<string> {
    const template = readFileSync(input.path, 'utf8'); // expect: io-outside-step
    const data = await readFile(`${input.path}.json`, 'utf8'); // expect: io-outside-step
    fs.writeFileSync('/tmp/report', template + data); // expect: io-outside-step
    const entries = await fsp.readdir('/tmp'); // expect: io-outside-step
    return entries.join(',');
  }
}
