#!/usr/bin/env node
// Drop-in for ksmbd-tools' ksmbd.mountd: its options mapped onto `ksmbd mountd` (started without oclif
// when the mapped command line is a plain one, as the ksmbd bin does).
import {mountdArgs} from '../../src/cli/tools/mountd.js';
import {leanMountd} from '../mountd-run.js';

const args = mountdArgs(process.argv.slice(2));
if (typeof args === 'number') process.exitCode = args;
else if (!(await leanMountd(args))) {
  const {execute} = await import('@oclif/core');
  await execute({dir: new URL('../bin/ksmbd.js', import.meta.url).href, args: ['mountd', ...args]});
}
