// The information levels of SamrQueryInformationDomain(2) and SamrQueryInformationUser(2) (MS-SAMR 2.2.3.17,
// 2.2.6.29): each level is a list of fields, written in order, so a level is one line of a table. Password
// hashes are never sent: LmOwfPassword / NtOwfPassword go out empty and the *PasswordPresent flags false.
import type {NdrWriter} from '../ndr.js';
import type {RpcServerData, SamUser} from '../service.js';
import {DOMAIN_USERS_RID, type DomainKind} from './accounts.js';

/** OLD_LARGE_INTEGER "never" (MS-SAMR 2.2.2.2 / 3.1.1.8.x: 0x7FFFFFFFFFFFFFFF for times that never come). */
const NEVER = 0x7fffffffffffffffn;
/** A delta that never elapses (MaxPasswordAge, ForceLogoff): the most negative 64-bit value. */
const NEVER_DELTA = 0x8000000000000000n;

/** MS-SAMR 2.2.1.12 USER_ACCOUNT codes. */
export const USER_NORMAL_ACCOUNT = 0x00000010;
export const USER_DONT_EXPIRE_PASSWORD = 0x00000200;
const USER_UAC = USER_NORMAL_ACCOUNT | USER_DONT_EXPIRE_PASSWORD;
/** MS-SAMR 2.2.1.8 USER_ALL_* bits: every field we fill in, none of the password or private ones. */
const WHICH_FIELDS_ALL = 0x00ffffff;
/** SAMPR_LOGON_HOURS: hours per week, allowed all the time. */
const UNITS_PER_WEEK = 168;

function oldLargeInteger(w: NdrWriter, v: bigint): void {
  w.u32(Number(v & 0xffffffffn)).u32(Number((v >> 32n) & 0xffffffffn));
}

type UserField =
  | 'UserName' | 'FullName' | 'HomeDirectory' | 'HomeDirectoryDrive' | 'ScriptPath' | 'ProfilePath' | 'AdminComment'
  | 'WorkStations' | 'UserComment' | 'Parameters' | 'Reserved1' | 'LmOwfPassword' | 'NtOwfPassword' | 'PrivateData'
  | 'LastLogon' | 'LastLogoff' | 'PasswordLastSet' | 'AccountExpires' | 'PasswordCanChange' | 'PasswordMustChange'
  | 'UserId' | 'PrimaryGroupId' | 'UserAccountControl' | 'WhichFields' | 'SecurityDescriptor' | 'LogonHours'
  | 'BadPasswordCount' | 'LogonCount' | 'CountryCode' | 'CodePage'
  | 'LmPasswordPresent' | 'NtPasswordPresent' | 'PasswordExpired' | 'PrivateDataSensitive';

/** USER_INFORMATION_CLASS (MS-SAMR 2.2.6.28) -> the structure's fields in wire order. */
export const USER_INFO_LEVELS: ReadonlyMap<number, readonly UserField[]> = new Map<number, readonly UserField[]>([
  [1, ['UserName', 'FullName', 'PrimaryGroupId', 'AdminComment', 'UserComment']],
  [2, ['UserComment', 'Reserved1', 'CountryCode', 'CodePage']],
  [3, ['UserName', 'FullName', 'UserId', 'PrimaryGroupId', 'HomeDirectory', 'HomeDirectoryDrive', 'ScriptPath', 'ProfilePath', 'WorkStations',
    'LastLogon', 'LastLogoff', 'PasswordLastSet', 'PasswordCanChange', 'PasswordMustChange', 'LogonHours', 'BadPasswordCount', 'LogonCount', 'UserAccountControl']],
  [4, ['LogonHours']],
  [5, ['UserName', 'FullName', 'UserId', 'PrimaryGroupId', 'HomeDirectory', 'HomeDirectoryDrive', 'ScriptPath', 'ProfilePath', 'AdminComment', 'WorkStations',
    'LastLogon', 'LastLogoff', 'LogonHours', 'BadPasswordCount', 'LogonCount', 'PasswordLastSet', 'AccountExpires', 'UserAccountControl']],
  [6, ['UserName', 'FullName']],
  [7, ['UserName']],
  [8, ['FullName']],
  [9, ['PrimaryGroupId']],
  [10, ['HomeDirectory', 'HomeDirectoryDrive']],
  [11, ['ScriptPath']],
  [12, ['ProfilePath']],
  [13, ['AdminComment']],
  [14, ['WorkStations']],
  [16, ['UserAccountControl']],
  [17, ['AccountExpires']],
  [20, ['Parameters']],
  [21, ['LastLogon', 'LastLogoff', 'PasswordLastSet', 'AccountExpires', 'PasswordCanChange', 'PasswordMustChange',
    'UserName', 'FullName', 'HomeDirectory', 'HomeDirectoryDrive', 'ScriptPath', 'ProfilePath', 'AdminComment', 'WorkStations', 'UserComment', 'Parameters',
    'LmOwfPassword', 'NtOwfPassword', 'PrivateData', 'SecurityDescriptor', 'UserId', 'PrimaryGroupId', 'UserAccountControl', 'WhichFields', 'LogonHours',
    'BadPasswordCount', 'LogonCount', 'CountryCode', 'CodePage', 'LmPasswordPresent', 'NtPasswordPresent', 'PasswordExpired', 'PrivateDataSensitive']],
]);

function writeUserField(w: NdrWriter, f: UserField, user: SamUser): void {
  switch (f) {
    case 'UserName':
      return void w.unicodeString(user.name);
    case 'FullName': case 'HomeDirectory': case 'HomeDirectoryDrive': case 'ScriptPath': case 'ProfilePath':
    case 'AdminComment': case 'WorkStations': case 'UserComment': case 'Parameters': case 'Reserved1':
      return void w.unicodeString('');
    case 'LmOwfPassword': case 'NtOwfPassword': case 'PrivateData':
      return void w.unicodeString(null); // RPC_SHORT_BLOB / RPC_UNICODE_STRING, empty: never sent
    case 'LastLogon': case 'LastLogoff': case 'PasswordLastSet': case 'PasswordCanChange':
      return oldLargeInteger(w, 0n);
    case 'AccountExpires': case 'PasswordMustChange':
      return oldLargeInteger(w, NEVER);
    case 'UserId':
      return void w.u32(user.rid);
    case 'PrimaryGroupId':
      return void w.u32(DOMAIN_USERS_RID);
    case 'UserAccountControl':
      return void w.u32(USER_UAC);
    case 'WhichFields':
      return void w.u32(WHICH_FIELDS_ALL);
    case 'SecurityDescriptor':
      // SAMPR_SR_SECURITY_DESCRIPTOR {Length; [size_is(Length)] SecurityDescriptor}: none.
      return void w.u32(0).u32(0);
    case 'LogonHours':
      // SAMPR_LOGON_HOURS {UnitsPerWeek; [size_is(1260), length_is((UnitsPerWeek+7)/8)] LogonHours}
      w.align(4).u16(UNITS_PER_WEEK);
      w.unique(Buffer.alloc((UNITS_PER_WEEK + 7) >> 3, 0xff), (b) => {
        w.u32(1260).u32(0).u32(b.length);
        w.bytes(b);
      });
      return;
    case 'BadPasswordCount': case 'LogonCount': case 'CountryCode': case 'CodePage':
      return void w.u16(0);
    case 'LmPasswordPresent': case 'NtPasswordPresent': case 'PasswordExpired': case 'PrivateDataSensitive':
      return void w.u8(0);
  }
}

/** The union arm of SAMPR_USER_INFO_BUFFER for `level` (assumed in USER_INFO_LEVELS). */
export function writeUserInfo(w: NdrWriter, level: number, user: SamUser): void {
  for (const f of USER_INFO_LEVELS.get(level) ?? []) writeUserField(w, f, user);
}

/** DOMAIN_INFORMATION_CLASS (MS-SAMR 2.2.3.16) values we answer. */
export const DOMAIN_INFO_LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13] as const;

const DOMAIN_SERVER_ENABLED = 1;
const DOMAIN_SERVER_ROLE_PRIMARY = 3;

export interface DomainFacts {
  kind: DomainKind;
  name: string;
  users: number;
  aliases: number;
}

function generalInfo(w: NdrWriter, d: DomainFacts, srv: RpcServerData): void {
  oldLargeInteger(w, NEVER_DELTA); // ForceLogoff
  w.unicodeString(srv.serverString); // OemInformation
  w.unicodeString(d.name);
  w.unicodeString(srv.netbiosName); // ReplicaSourceNodeName
  oldLargeInteger(w, 1n); // DomainModifiedCount
  w.u32(DOMAIN_SERVER_ENABLED).u32(DOMAIN_SERVER_ROLE_PRIMARY);
  w.u8(0); // UasCompatibilityRequired
  w.u32(d.users).u32(0).u32(d.aliases);
}

function lockoutInfo(w: NdrWriter): void {
  // LARGE_INTEGER fields are hypers (8-aligned); no lockout: zero duration and window, threshold 0.
  w.hyper(0n).hyper(0n).u16(0);
}

/** The union arm of SAMPR_DOMAIN_INFO_BUFFER for `level` (assumed in DOMAIN_INFO_LEVELS). */
export function writeDomainInfo(w: NdrWriter, level: number, d: DomainFacts, srv: RpcServerData): void {
  switch (level) {
    case 1: // DOMAIN_PASSWORD_INFORMATION: no policy enforced here (passwords are set with ksmbd adduser)
      w.u16(0).u16(0).u32(0);
      oldLargeInteger(w, NEVER_DELTA); // MaxPasswordAge
      oldLargeInteger(w, 0n); // MinPasswordAge
      return;
    case 2:
      return generalInfo(w, d, srv);
    case 3: // DOMAIN_LOGOFF_INFORMATION
      return oldLargeInteger(w, NEVER_DELTA);
    case 4: // SAMPR_DOMAIN_OEM_INFORMATION
      return void w.unicodeString(srv.serverString);
    case 5: // SAMPR_DOMAIN_NAME_INFORMATION
      return void w.unicodeString(d.name);
    case 6: // SAMPR_DOMAIN_REPLICATION_INFORMATION
      return void w.unicodeString(srv.netbiosName);
    case 7: // DOMAIN_SERVER_ROLE_INFORMATION
      // 32 bits on the wire, as in level 2: MS-SAMR 2.2.3.4 declares a plain enum (16 bits in NDR 2.0), but
      // rpcclient (Samba's IDL: [v1_enum]) reads 32 and fails the call on 16 with NT_STATUS_BUFFER_TOO_SMALL;
      // the general information it reads the same way shows Windows sends these enums as 32 bits.
      return void w.u32(DOMAIN_SERVER_ROLE_PRIMARY);
    case 8: // DOMAIN_MODIFIED_INFORMATION {DomainModifiedCount; CreationTime}
      oldLargeInteger(w, 1n);
      return oldLargeInteger(w, 0n);
    case 9: // DOMAIN_STATE_INFORMATION: 32 bits, as level 7
      return void w.u32(DOMAIN_SERVER_ENABLED);
    case 11: // SAMPR_DOMAIN_GENERAL_INFORMATION2 {I1; lockout fields}: 8-aligned for its hypers
      w.align(8);
      generalInfo(w, d, srv);
      return lockoutInfo(w);
    case 12:
      return lockoutInfo(w);
    case 13: // DOMAIN_MODIFIED_INFORMATION2
      oldLargeInteger(w, 1n);
      oldLargeInteger(w, 0n);
      return oldLargeInteger(w, 0n);
  }
}
