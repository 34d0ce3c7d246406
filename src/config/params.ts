// The one table of ksmbd.conf parameters. It drives parsing (types, synonyms), validation, addshare's
// -o checks, the writer's grouping (which follows ksmbd-tools 3.5.x, see `tools`) and man/ksmbd.conf.5.

export type ParamType =
  | 'string'
  | 'boolean'
  | 'list' // blank/comma separated names; users may be written @group
  | 'mask' // octal permission bits
  | 'size' // strtoull base 0 plus an optional K/M/G/T/P/E suffix
  | 'integer'
  | 'tristate' // disabled | auto | mandatory
  | 'protocol' // SMB2_02 .. SMB3_11
  | 'enum';

export type Scope = 'global' | 'share' | 'both';

export interface Param {
  name: string;
  /** Where we accept it. 'both': a share value, and in [global] the server-wide value or share default. */
  scope: Scope;
  type: ParamType;
  /** Default as it would be written in ksmbd.conf ('' = unset). */
  def: string;
  /** Default when the parameter is read from [global] as a server-wide setting, if different. */
  globalDef?: string;
  /** Accepted spellings besides `name`. */
  synonyms?: string[];
  /** A synonym that means the opposite (writable = !read only). */
  inverseOf?: string;
  values?: string[];
  /** Inclusive bounds of an integer or size. */
  min?: number;
  max?: number;
  /** Membership in ksmbd-tools 3.5.6's own table; decides the writer's headings and compat addshare. */
  tools?: 'global' | 'share';
  /** ksmbd-tools parses but ignores it; its addshare answers "Ignored option". */
  toolsBroken?: boolean;
  /** Accepted and kept, but not acted on yet: the daemon says so once at start. */
  notActedOn?: boolean;
  doc: string;
}

const P = (p: Param): Param => p;

export const PARAMS: readonly Param[] = [
  // ---- global (server-wide; a change needs a restart) ----
  P({name: 'bind interfaces only', scope: 'global', type: 'boolean', def: 'no', tools: 'global',
    doc: 'Listen only on the addresses of the interfaces named by \\fBinterfaces\\fR.'}),
  P({name: 'deadtime', scope: 'global', type: 'integer', def: '0', min: 0, tools: 'global',
    doc: 'Minutes a connection without open files may stay idle before it is dropped; 0 means never.'}),
  P({name: 'durable handles', scope: 'global', type: 'boolean', def: 'no', tools: 'global', notActedOn: true,
    doc: 'Grant SMB2 durable handles, so that clients reopen files after a reconnect (Time Machine needs this and leases).'}),
  P({name: 'guest account', scope: 'both', type: 'string', def: '', globalDef: 'nobody', tools: 'share',
    doc: 'In [global]: the Unix account that guest sessions run as. In a share: an extra password-less account for that share.'}),
  P({name: 'interfaces', scope: 'global', type: 'list', def: '', tools: 'global',
    doc: 'Network interfaces (names or addresses) to listen on when \\fBbind interfaces only\\fR is set.'}),
  P({name: 'ipc timeout', scope: 'global', type: 'integer', def: '0', min: 0, tools: 'global', notActedOn: true,
    doc: 'Seconds the services side may take to answer the engine; 0 means no limit.'}),
  P({name: 'kerberos keytab file', scope: 'global', type: 'string', def: '', tools: 'global', notActedOn: true,
    doc: 'Keytab holding the service principal\'s keys.'}),
  P({name: 'kerberos service name', scope: 'global', type: 'string', def: '', tools: 'global', notActedOn: true,
    doc: 'Kerberos service principal; empty means cifs/\\fIFQDN\\fR.'}),
  P({name: 'kerberos support', scope: 'global', type: 'boolean', def: 'no', tools: 'global', notActedOn: true,
    doc: 'Offer Kerberos 5 authentication.'}),
  P({name: 'log file', scope: 'global', type: 'string', def: '',
    doc: 'File a detached daemon logs to; empty means syslog (/dev/log). In the foreground the daemon logs to standard error.'}),
  P({name: 'map to guest', scope: 'global', type: 'enum', def: 'never', values: ['never', 'bad user'], tools: 'global',
    doc: '\\fBbad user\\fR maps logins of unknown users to the guest account; \\fBnever\\fR refuses them.'}),
  P({name: 'max active sessions', scope: 'global', type: 'size', def: '1024', tools: 'global',
    doc: 'Most sessions at once; 0 or more than 65536 means 65536.'}),
  P({name: 'max connections', scope: 'both', type: 'size', def: '128', globalDef: '256', tools: 'share',
    doc: 'In [global]: most client connections at once. In a share: most tree connects to it at once. 0 or more than 65536 means 65536.'}),
  P({name: 'max ip connections', scope: 'global', type: 'size', def: '32', tools: 'global',
    doc: 'Most connections from one client address at once; 0 means 65536.'}),
  P({name: 'max open files', scope: 'global', type: 'size', def: '10000', tools: 'global',
    doc: 'Most open files per client (at most 65536).'}),
  P({name: 'netbios name', scope: 'global', type: 'string', def: 'KSMBD SERVER', tools: 'global',
    doc: 'Name of the server in browse lists and RPC answers.'}),
  P({name: 'oplock break timeout', scope: 'global', type: 'integer', def: '35', min: 1, max: 3600,
    doc: 'Seconds an oplock break waits for the client\'s acknowledgment before the oplock is taken away (MS-SMB2 says 35).'}),
  P({name: 'restrict anonymous', scope: 'global', type: 'integer', def: '0', values: ['0', '1', '2'], tools: 'global',
    doc: '1 or 2: anonymous and guest sessions may not use IPC$ or any share without \\fBguest ok\\fR.'}),
  P({name: 'root directory', scope: 'global', type: 'string', def: '', tools: 'global',
    doc: 'Directory prepended to every share\'s \\fBpath\\fR.'}),
  P({name: 'server max protocol', scope: 'global', type: 'protocol', def: 'SMB3_11', tools: 'global',
    doc: 'Highest dialect offered: SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11.'}),
  P({name: 'server min protocol', scope: 'global', type: 'protocol', def: 'SMB2_10', tools: 'global',
    doc: 'Lowest dialect accepted. SMB1 is never served; an SMB1 negotiate that offers SMB2 is answered in SMB2.'}),
  P({name: 'server multi channel support', scope: 'global', type: 'boolean', def: 'no', tools: 'global', notActedOn: true,
    doc: 'SMB3 multichannel.'}),
  P({name: 'server signing', scope: 'global', type: 'tristate', def: 'auto', tools: 'global',
    doc: '\\fBdisabled\\fR or \\fBauto\\fR: sign when the client asks; \\fBmandatory\\fR: every session must sign.'}),
  P({name: 'server string', scope: 'global', type: 'string', def: 'SMB SERVER', tools: 'global',
    doc: 'Server comment shown in browse lists.'}),
  P({name: 'share:fake_fscaps', scope: 'global', type: 'integer', def: '64', min: 0, max: 0xffffffff, tools: 'global',
    doc: 'Bits OR-ed into the file system attributes reported to clients (64 = FILE_SUPPORTS_SPARSE_FILES).'}),
  P({name: 'smb2 leases', scope: 'global', type: 'boolean', def: 'no', tools: 'global', notActedOn: true,
    doc: 'Grant SMB2 leases (Time Machine needs them for reconnects).'}),
  P({name: 'smb2 max credits', scope: 'global', type: 'size', def: '8192', tools: 'global',
    doc: 'Most credits (outstanding requests) granted to one connection.'}),
  P({name: 'smb2 max read', scope: 'global', type: 'size', def: '8M', tools: 'global',
    doc: 'Largest READ a client may ask for.'}),
  P({name: 'smb2 max trans', scope: 'global', type: 'size', def: '8M', tools: 'global',
    doc: 'Largest QUERY_INFO, SET_INFO, QUERY_DIRECTORY, IOCTL or CHANGE_NOTIFY buffer.'}),
  P({name: 'smb2 max write', scope: 'global', type: 'size', def: '8M', tools: 'global',
    doc: 'Largest WRITE a client may send.'}),
  P({name: 'smb3 encryption', scope: 'both', type: 'tristate', def: 'auto', tools: 'global',
    doc: '\\fBdisabled\\fR: never encrypt; \\fBauto\\fR: encrypt when the client asks; \\fBmandatory\\fR: refuse unencrypted requests. In a share it applies to that share only.'}),
  P({name: 'smbd max io size', scope: 'global', type: 'size', def: '8M', tools: 'global', notActedOn: true,
    doc: 'I/O size for SMB Direct (RDMA), which is not served.'}),
  P({name: 'socket options', scope: 'global', type: 'string', def: '', notActedOn: true,
    doc: 'Samba-style socket tuning; accepted for compatibility, Node chooses the socket options.'}),
  P({name: 'tcp port', scope: 'global', type: 'integer', def: '445', min: 1, max: 65535, tools: 'global',
    doc: 'TCP port to listen on (\\fBksmbd mountd \\-p\\fR wins).'}),
  P({name: 'workgroup', scope: 'global', type: 'string', def: 'WORKGROUP', tools: 'global',
    doc: 'Workgroup or domain name reported to clients.'}),
  // Apple (Samba vfs_fruit spelling, global part)
  P({name: 'fruit:model', scope: 'global', type: 'string', def: 'MacSamba', notActedOn: true,
    doc: 'Model string that macOS Finder uses to choose the server\'s icon (for example Xserve, TimeCapsule8,119).'}),
  P({name: 'apple extensions', scope: 'global', type: 'boolean', def: 'no', notActedOn: true,
    doc: 'Answer the AAPL create context (Apple SMB2 extensions) so that macOS clients use the fast paths.'}),
  P({name: 'apple version', scope: 'global', type: 'string', def: '', notActedOn: true,
    doc: 'Server version string reported in the AAPL context.'}),
  P({name: 'apple client validation', scope: 'global', type: 'boolean', def: 'yes', notActedOn: true,
    doc: 'Check that a client claiming to be macOS sends a well-formed AAPL context before granting extensions.'}),

  // ---- share (per share, or a default for all shares when set in [global]) ----
  P({name: 'admin users', scope: 'share', type: 'list', def: '', tools: 'share', toolsBroken: true, notActedOn: true,
    doc: 'Users who act as root on the share. Accepted for compatibility and ignored, as in ksmbd-tools 3.5.'}),
  P({name: 'browseable', scope: 'share', type: 'boolean', def: 'yes', synonyms: ['browsable'], tools: 'share',
    doc: 'List the share in share enumeration (NetShareEnum).'}),
  P({name: 'comment', scope: 'share', type: 'string', def: '', tools: 'share',
    doc: 'Description shown next to the share.'}),
  P({name: 'create mask', scope: 'share', type: 'mask', def: '0744', tools: 'share',
    doc: 'Permission bits AND-ed with those of new files.'}),
  P({name: 'crossmnt', scope: 'share', type: 'boolean', def: 'yes', tools: 'share',
    doc: 'Path lookups may cross mount points below the share.'}),
  P({name: 'directory mask', scope: 'share', type: 'mask', def: '0755', tools: 'share',
    doc: 'Permission bits AND-ed with those of new directories.'}),
  P({name: 'follow symlinks', scope: 'share', type: 'boolean', def: 'no', tools: 'share',
    doc: 'Follow symbolic links that stay inside the share; links that leave it are never followed.'}),
  P({name: 'force create mode', scope: 'share', type: 'mask', def: '0000', tools: 'share',
    doc: 'Permission bits OR-ed into new files after \\fBcreate mask\\fR.'}),
  P({name: 'force directory mode', scope: 'share', type: 'mask', def: '0000', tools: 'share',
    doc: 'Permission bits OR-ed into new directories after \\fBdirectory mask\\fR.'}),
  P({name: 'force group', scope: 'share', type: 'string', def: '', tools: 'share',
    doc: 'Unix group every file operation on the share runs with.'}),
  P({name: 'force user', scope: 'share', type: 'string', def: '', tools: 'share',
    doc: 'Unix user every file operation on the share runs as (with that user\'s primary group unless \\fBforce group\\fR).'}),
  P({name: 'guest ok', scope: 'share', type: 'boolean', def: 'no', synonyms: ['public'], tools: 'share',
    doc: 'Guest sessions may connect to the share.'}),
  P({name: 'hide dot files', scope: 'share', type: 'boolean', def: 'yes', tools: 'share',
    doc: 'Report files whose names start with a dot as hidden.'}),
  P({name: 'hosts allow', scope: 'share', type: 'list', def: '', synonyms: ['allow hosts'], tools: 'share', toolsBroken: true,
    doc: 'Client addresses allowed to connect: addresses, networks as a.b.c.d/len or a.b.c. prefixes, ALL, with EXCEPT. Ignored by ksmbd-tools; enforced here.'}),
  P({name: 'hosts deny', scope: 'share', type: 'list', def: '', synonyms: ['deny hosts'], tools: 'share', toolsBroken: true,
    doc: 'Client addresses refused, in the syntax of \\fBhosts allow\\fR (which wins where both match).'}),
  P({name: 'inherit owner', scope: 'share', type: 'boolean', def: 'no', tools: 'share', notActedOn: true,
    doc: 'New files and directories get the owner of their parent directory.'}),
  P({name: 'invalid users', scope: 'share', type: 'list', def: '', tools: 'share',
    doc: 'Users refused (wins over \\fBvalid users\\fR); @group names a Unix group.'}),
  P({name: 'oplocks', scope: 'share', type: 'boolean', def: 'yes', tools: 'share',
    doc: 'Grant oplocks on the share (leases are not granted yet).'}),
  P({name: 'path', scope: 'share', type: 'string', def: '', tools: 'share',
    doc: 'Directory the share serves.'}),
  P({name: 'read list', scope: 'share', type: 'list', def: '', tools: 'share',
    doc: 'Users with read-only access whatever else says (wins over \\fBwrite list\\fR).'}),
  P({name: 'read only', scope: 'share', type: 'boolean', def: 'yes', tools: 'share',
    doc: '\\fBno\\fR makes the share writable. Wins over its inverse synonyms \\fBwritable\\fR, \\fBwriteable\\fR and \\fBwrite ok\\fR.'}),
  P({name: 'writable', scope: 'share', type: 'boolean', def: 'no', synonyms: ['writeable', 'write ok'], inverseOf: 'read only', tools: 'share',
    doc: 'Inverse synonym of \\fBread only\\fR.'}),
  P({name: 'store dos attributes', scope: 'share', type: 'boolean', def: 'yes', tools: 'share',
    doc: 'Keep DOS attributes and creation times in the user.DOSATTRIB extended attribute (Samba\'s format).'}),
  P({name: 'valid users', scope: 'share', type: 'list', def: '', tools: 'share',
    doc: 'Only these users may connect (empty: everyone); @group names a Unix group.'}),
  P({name: 'veto files', scope: 'share', type: 'string', def: '', tools: 'share',
    doc: 'Names hidden and refused, as /pattern/pattern/ with * and ? wildcards, e.g. /.DS_Store/._*/.'}),
  P({name: 'vfs objects', scope: 'share', type: 'list', def: '', tools: 'share',
    doc: 'acl_xattr (NT ACLs in security.NTACL), streams_xattr (named streams in user.DosStream.*), fruit and catia (Apple, as in Samba).'}),
  P({name: 'write list', scope: 'share', type: 'list', def: '', tools: 'share',
    doc: 'Users given read-write access even on a read-only share.'}),
  // Apple (Samba vfs_fruit spelling, per share)
  P({name: 'fruit:time machine', scope: 'share', type: 'boolean', def: 'no', synonyms: ['apple time machine'], notActedOn: true,
    doc: 'Offer the share to macOS as a Time Machine destination (also announced over mDNS). \\fBapple time machine\\fR, the spelling of the Apple-extensions ksmbd, is a synonym.'}),
  P({name: 'fruit:time machine max size', scope: 'share', type: 'size', def: '0', notActedOn: true,
    doc: 'Size limit reported to Time Machine (K/M/G/T suffixes); 0 means no limit.'}),
  P({name: 'fruit:encoding', scope: 'share', type: 'enum', def: 'private', values: ['private', 'native'], notActedOn: true,
    doc: 'How characters illegal on Windows in Mac file names are stored: private (Unicode private range) or native.'}),
  P({name: 'fruit:metadata', scope: 'share', type: 'enum', def: 'netatalk', values: ['netatalk', 'stream'], notActedOn: true,
    doc: 'Where AFP_AfpInfo (Finder info) is kept: netatalk (the org.netatalk.Metadata xattr) or stream.'}),
  P({name: 'fruit:resource', scope: 'share', type: 'enum', def: 'file', values: ['file', 'xattr', 'stream'], notActedOn: true,
    doc: 'Where AFP_Resource (the resource fork) is kept: file (AppleDouble ._ file), xattr or stream.'}),
  // Apple (spelling of the Apple-extensions ksmbd)
  P({name: 'apple sparse bundles', scope: 'share', type: 'boolean', def: 'yes', notActedOn: true,
    doc: 'Allow sparse bundle disk images (Time Machine backups over SMB).'}),
  P({name: 'apple finder info', scope: 'share', type: 'boolean', def: 'yes', notActedOn: true,
    doc: 'Serve Finder info (AFP_AfpInfo) and resource fork (AFP_Resource) streams.'}),
  P({name: 'apple case sensitive', scope: 'share', type: 'boolean', def: 'no', notActedOn: true,
    doc: 'Report the share as case sensitive to macOS clients.'}),
];

const byName = new Map<string, Param>();
for (const p of PARAMS) {
  byName.set(p.name, p);
  for (const s of p.synonyms ?? []) byName.set(s, p);
}

/** Normal form of a key: ksmbd-tools compares ASCII-case-insensitively; we also fold runs of blanks. */
export function normalizeKey(key: string): string {
  return key.trim().replace(/[ \t]+/g, ' ').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function findParam(key: string): Param | undefined {
  return byName.get(normalizeKey(key));
}

/** Is this spelling one that ksmbd-tools 3.5.6 knows (it decides the writer's headings)? */
export function toolsKind(key: string): 'global' | 'share' | undefined {
  const k = normalizeKey(key);
  const p = byName.get(k);
  if (!p?.tools) return undefined;
  // Our own synonyms (browsable, public, allow hosts ...) are unknown to ksmbd-tools.
  const toolsSpellings = p.name === 'writable' ? ['writable', 'writeable', 'write ok'] : [p.name];
  return toolsSpellings.includes(k) ? p.tools : undefined;
}

export function isShareParam(p: Param): boolean {
  return p.scope === 'share' || p.scope === 'both';
}

export function isGlobalParam(p: Param): boolean {
  return p.scope === 'global' || p.scope === 'both';
}

/** Every accepted spelling, for suggestions. */
export function allSpellings(): string[] {
  return [...byName.keys()];
}
