#!/usr/bin/env node
// `ksmbd mountd` with a plain command line starts the daemon without loading oclif (commands/mountd-run.ts
// says why); everything else, `ksmbd mountd --help` and every usage error included, goes through oclif.
const argv = process.argv.slice(2);
let done = false;
if (argv[0] === 'mountd') {
  const {leanMountd} = await import('../mountd-run.js');
  done = await leanMountd(argv.slice(1));
}
if (!done) {
  const {execute} = await import('@oclif/core');
  await execute({dir: import.meta.url});
}
