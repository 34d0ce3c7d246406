/**
 * The global parameters the engine acts on, read once from the configuration (globals need a restart;
 * users and shares come through IpcServices and follow reloads).
 */
import {createHash} from 'node:crypto';
import {globalValue, type LoadedConfig} from '../config/load.js';
import type {Tristate} from '../config/values.js';
import {Cipher, Dialect, SigningAlgorithm} from '../smb2/constants.js';

const DIALECT_BY_NAME: Record<string, number> = {
  SMB2_02: Dialect.SMB2_0_2,
  SMB2_10: Dialect.SMB2_1,
  SMB3_00: Dialect.SMB3_0,
  SMB3_02: Dialect.SMB3_0_2,
  SMB3_11: Dialect.SMB3_1_1,
};

/** Dialects this server implements, lowest first. */
export const IMPLEMENTED_DIALECTS: readonly number[] = [
  Dialect.SMB2_0_2,
  Dialect.SMB2_1,
  Dialect.SMB3_0,
  Dialect.SMB3_0_2,
  Dialect.SMB3_1_1,
];

/** Server preference for the 3.1.1 encryption context: GCM before CCM, AES-128 first (cheapest, as Windows). */
export const CIPHER_PREFERENCE: readonly number[] = [Cipher.AES_128_GCM, Cipher.AES_256_GCM, Cipher.AES_128_CCM, Cipher.AES_256_CCM];
/** Server preference for the 3.1.1 signing context. */
export const SIGNING_PREFERENCE: readonly number[] = [SigningAlgorithm.AES_GMAC, SigningAlgorithm.AES_CMAC, SigningAlgorithm.HMAC_SHA256];

export interface ServerSettings {
  minDialect: number;
  maxDialect: number;
  signing: Tristate;
  encryption: Tristate;
  maxRead: number;
  maxWrite: number;
  maxTrans: number;
  maxCredits: number;
  /** Idle connections without open files are dropped after this many ms; 0 = never. */
  deadtimeMs: number;
  mapToGuest: 'never' | 'bad user';
  netbiosName: string;
  workgroup: string;
  serverGuid: Buffer;
  /** `share:fake_fscaps`: OR-ed into FileFsAttributeInformation. */
  fakeFsCaps: number;
  /** How long an oplock break waits for the holder's acknowledgment (35 s by MS-SMB2 3.3.2.1). */
  oplockBreakTimeoutMs: number;
}

/** 2.0.2 has no multi-credit requests: its transfers stop at 64 KiB (3.3.5.4). */
export const SMB202_MAX_IO = 65536;

export function readSettings(config: LoadedConfig, subauth: readonly number[]): ServerSettings {
  const dialect = (name: string) => DIALECT_BY_NAME[globalValue<string>(config, name)] ?? Dialect.SMB3_1_1;
  let minDialect = dialect('server min protocol');
  let maxDialect = dialect('server max protocol');
  if (minDialect > maxDialect) [minDialect, maxDialect] = [maxDialect, minDialect];
  const netbiosName = globalValue<string>(config, 'netbios name');
  // ServerGuid must stay the same across restarts (clients compare it, 3.2.5.14.12), so derive it from the
  // stable subauth values and the server name rather than drawing it at random.
  const serverGuid = createHash('sha256').update(`ksmbd-node:${subauth.join('-')}:${netbiosName}`).digest().subarray(0, 16);
  const mapToGuest = globalValue<string>(config, 'map to guest') === 'bad user' ? 'bad user' : 'never';
  const clampIo = (n: number) => Math.min(Math.max(n, 65536), 8 * 1024 * 1024);
  return {
    minDialect,
    maxDialect,
    signing: globalValue<Tristate>(config, 'server signing'),
    encryption: globalValue<Tristate>(config, 'smb3 encryption'),
    maxRead: clampIo(globalValue<number>(config, 'smb2 max read')),
    maxWrite: clampIo(globalValue<number>(config, 'smb2 max write')),
    maxTrans: clampIo(globalValue<number>(config, 'smb2 max trans')),
    maxCredits: Math.min(Math.max(globalValue<number>(config, 'smb2 max credits'), 16), 65535),
    deadtimeMs: Math.max(0, globalValue<number>(config, 'deadtime')) * 60_000,
    mapToGuest,
    netbiosName,
    workgroup: globalValue<string>(config, 'workgroup'),
    serverGuid: Buffer.from(serverGuid),
    fakeFsCaps: globalValue<number>(config, 'share:fake_fscaps'),
    oplockBreakTimeoutMs: Math.max(1, globalValue<number>(config, 'oplock break timeout')) * 1000,
  };
}

/** Largest frame a client may send: the biggest payload plus room for headers, compounds and a transform. */
export function frameCap(s: ServerSettings): number {
  return Math.max(s.maxRead, s.maxWrite, s.maxTrans) + 256 * 1024;
}
