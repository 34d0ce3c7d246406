// Interim host for integration tests, run in a child process by test/helpers/smb-server.ts until
// `ksmbd mountd` starts the real engine itself. It runs the real daemon (daemon/main.ts: lock, listener with
// its limits, control socket, services) with createSmbEngine passed as the daemon's `engine` option, so
// nothing about the daemon is imitated; with --bare it runs only net.createServer + ConfigServices + the engine.
// Prints `READY <port>` on stdout once it accepts connections.
//   vite-node test/helpers/engine-host.ts -- <config> <pwddb> <rundir> <port|0> [--bare] [--verbose]
import {createServer} from 'node:net';
import {loadConfigFile} from '../../src/config/load.js';
import {createSmbEngine} from '../../src/engine/index.js';
import {SystemAccounts} from '../../src/ipc/accounts.js';
import {ConfigServices} from '../../src/ipc/services.js';
import {Logger} from '../../src/log/logger.js';
import {StderrSink} from '../../src/log/sinks.js';
import {loadPwdDb} from '../../src/users/pwddb.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const [configFile, pwddbFile, rundir, portArg] = args;
const bare = args.includes('--bare');
const verbose = args.includes('--verbose');
if (!configFile || !pwddbFile || !rundir || portArg === undefined) {
  process.stderr.write('usage: engine-host <config> <pwddb> <rundir> <port> [--bare] [--verbose]\n');
  process.exit(2);
}
const port = Number(portArg);

async function daemonHost(): Promise<void> {
  const {Daemon} = await import('../../daemon/main.js');
  const d = new Daemon({configFile: configFile!, pwddbFile: pwddbFile!, rundir: rundir!, port, verbose, mode: 'foreground', engine: createSmbEngine});
  await d.start();
  process.stdout.write(`READY ${d.listening[0]?.port ?? port}\n`);
}

async function bareHost(): Promise<void> {
  const log = new Logger(new StderrSink());
  if (verbose) log.debugSwitches.setAll(true);
  const {config} = loadConfigFile(configFile!);
  const {db} = loadPwdDb(pwddbFile!);
  const services = new ConfigServices(config, db, new SystemAccounts(), log);
  const engine = createSmbEngine({services, log, config, subauth: [1, 2, 3]});
  const server = createServer((s) => engine.attach(s));
  server.listen(port, '127.0.0.1', () => {
    const a = server.address();
    process.stdout.write(`READY ${typeof a === 'object' && a ? a.port : port}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void engine.shutdown(1000).then(() => process.exit(0));
  });
}

(bare ? bareHost() : daemonHost()).catch((e) => {
  process.stderr.write(`engine-host: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
