#!/usr/bin/env node
// Adds lockfile entries for optional platform packages that this machine's
// registry does not serve (other OSes' builds of rollup, biome, …).
//
// Why: npm writes no entry for an optional dependency it cannot resolve, and
// then `npm ci` refuses the lockfile as out of sync ("Missing: … from lock
// file"). The entries added here carry the os/cpu/libc the package name
// declares, so npm skips them on every other platform without fetching
// anything; on the platform they are for, the real entry already exists.
//
// Run after `npm install` changes package-lock.json: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
  'aix',
  'netbsd',
  'cygwin',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const platform = {};
  const os = parts.find((p) => OS.includes(p));
  const cpu =
    parts.find((p) => CPU.includes(p)) ??
    (parts.includes('eabi') || parts.includes('gnueabihf') || parts.includes('musleabihf') ? 'arm' : undefined);
  if (os === undefined || cpu === undefined) return undefined;
  platform.os = [os];
  platform.cpu = [cpu];
  if (os === 'linux') platform.libc = [parts.some((p) => p.startsWith('musl')) ? 'musl' : 'glibc'];
  return platform;
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [dependency, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const parent = location === '' ? '' : `${location}/`;
    const candidates = [`${parent}node_modules/${dependency}`, `node_modules/${dependency}`];
    if (candidates.some((c) => packages[c] !== undefined)) continue;
    const platform = platformOf(dependency);
    if (platform === undefined) continue;
    packages[`node_modules/${dependency}`] = {
      version: range.replace(/^[\^~=]/, ''),
      ...platform,
      ...(entry.dev ? { dev: true } : {}),
      license: entry.license,
      optional: true,
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
