import { invalidParameter } from './lambda-error.js';

/** A control-plane request's JSON body. */
export type Body = Record<string, unknown>;

/** A string member, or undefined when absent. */
export function optionalString(body: Body, member: string): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${member} must be a string.`);
  return value;
}

/** A string member that must be there. */
export function requiredString(body: Body, member: string): string {
  const value = optionalString(body, member);
  if (value === undefined || value === '') throw invalidParameter(`${member} is required.`);
  return value;
}

/** An integer member within Lambda's bounds for it, or undefined when absent. */
export function optionalInteger(body: Body, member: string, min: number, max: number): number | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`${member} must be a whole number from ${min} to ${max}; it is ${JSON.stringify(value)}.`);
  }
  return value;
}

/** A boolean member; false when absent. */
export function flag(body: Body, member: string): boolean {
  const value = body[member];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalidParameter(`${member} must be true or false.`);
  return value;
}

/** A map of strings to strings (tags, environment variables), or undefined when absent. */
export function optionalStringMap(value: unknown, member: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${member} must be an object.`);
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== 'string') throw invalidParameter(`${member}.${key} must be a string.`);
    map[key] = item;
  }
  return map;
}
