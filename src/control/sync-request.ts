// A one-shot control request run as a child process, for callers that must stay synchronous
// (notifyDaemon is called from the synchronous admin operations). Prints the response line on stdout.
// Exit: 0 answered, 3 no daemon, 4 forbidden, 5 timeout or protocol error.
import {controlRequest, ControlUnavailable} from './client.js';
import type {ControlCommand} from './protocol.js';

const [cmd, rundir] = process.argv.slice(2);
try {
  const r = await controlRequest(cmd as ControlCommand, undefined, {rundir, timeoutMs: 8000});
  process.stdout.write(JSON.stringify(r) + '\n');
} catch (e) {
  const reason = e instanceof ControlUnavailable ? e.reason : 'protocol';
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = reason === 'no-daemon' ? 3 : reason === 'forbidden' ? 4 : 5;
}
