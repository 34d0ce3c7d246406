#!/usr/bin/env node
// Drop-in for ksmbd-tools' ksmbd.mountd: its options mapped onto `ksmbd mountd`.
import {execute} from '@oclif/core';
import {mountdArgs} from '../../src/cli/tools/mountd.js';

const args = mountdArgs(process.argv.slice(2));
if (typeof args === 'number') process.exitCode = args;
else await execute({dir: new URL('../bin/ksmbd.js', import.meta.url).href, args: ['mountd', ...args]});
