import { type ControlPlane, type Reply, unqualifiedName } from './control-plane.js';
import { invalidParameter } from './lambda-error.js';
import { type Body, optionalStringMap } from './request-params.js';

/** TagResource: adds or replaces tags of a function (its unqualified ARN). */
export async function tagResource(plane: ControlPlane, resource: string, body: Body): Promise<Reply> {
  const name = unqualifiedName(plane, resource);
  const tags = optionalStringMap(body.Tags, 'Tags');
  if (tags === undefined) throw invalidParameter('Tags is required.');
  const reserved = Object.keys(tags).filter((key) => key.toLowerCase().startsWith('aws:'));
  if (reserved.length > 0) throw invalidParameter(`Tag keys starting with aws: are reserved: ${reserved.join(', ')}.`);
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    await plane.registry.save({ ...record, tags: { ...record.tags, ...tags } });
    plane.log(
      `tagged ${name} ${Object.entries(tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ')}`,
    );
    return { status: 204 };
  });
}

/** UntagResource: removes the tags named by `tagKeys`. */
export async function untagResource(plane: ControlPlane, resource: string, query: URLSearchParams): Promise<Reply> {
  const name = unqualifiedName(plane, resource);
  const keys = query.getAll('tagKeys');
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    const tags = Object.fromEntries(Object.entries(record.tags).filter(([key]) => !keys.includes(key)));
    await plane.registry.save({ ...record, tags });
    plane.log(`untagged ${name} ${keys.join(' ')}`);
    return { status: 204 };
  });
}

/** ListTags. */
export function listTags(plane: ControlPlane, resource: string): Reply {
  const record = plane.registry.require(unqualifiedName(plane, resource));
  return { status: 200, body: { Tags: { ...record.tags } } };
}
