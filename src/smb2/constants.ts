/**
 * SMB2/SMB3 wire constants (MS-SMB2 2.2, MS-FSCC 2.4/2.5, MS-DTYP 2.4.3 access masks).
 * Grouped as the spec groups them; each group is a frozen name -> number table.
 */

/** 2.2.1: protocol ids as the first four bytes of a message (read as u32 LE). */
export const PROTOCOL_ID_SMB2 = 0x424d53fe; // 0xFE 'S' 'M' 'B'
export const PROTOCOL_ID_TRANSFORM = 0x424d53fd; // 0xFD 'S' 'M' 'B' (2.2.41)
export const PROTOCOL_ID_COMPRESSION = 0x424d53fc; // 0xFC 'S' 'M' 'B' (2.2.42)
export const PROTOCOL_ID_SMB1 = 0x424d53ff; // 0xFF 'S' 'M' 'B' (MS-CIFS 2.2.3.1)

export const SMB2_HEADER_SIZE = 64;

/** 2.2.1.2 Command. */
export const Command = Object.freeze({
  NEGOTIATE: 0x0000,
  SESSION_SETUP: 0x0001,
  LOGOFF: 0x0002,
  TREE_CONNECT: 0x0003,
  TREE_DISCONNECT: 0x0004,
  CREATE: 0x0005,
  CLOSE: 0x0006,
  FLUSH: 0x0007,
  READ: 0x0008,
  WRITE: 0x0009,
  LOCK: 0x000a,
  IOCTL: 0x000b,
  CANCEL: 0x000c,
  ECHO: 0x000d,
  QUERY_DIRECTORY: 0x000e,
  CHANGE_NOTIFY: 0x000f,
  QUERY_INFO: 0x0010,
  SET_INFO: 0x0011,
  OPLOCK_BREAK: 0x0012,
  SERVER_TO_CLIENT_NOTIFICATION: 0x0013,
});
export type CommandCode = (typeof Command)[keyof typeof Command];

/** Name of a command code, for logs. */
export function commandName(code: number): string {
  for (const [k, v] of Object.entries(Command)) if (v === code) return k;
  return `0x${code.toString(16).padStart(4, '0')}`;
}

/** 2.2.1.2 Flags. */
export const HeaderFlags = Object.freeze({
  SERVER_TO_REDIR: 0x00000001,
  ASYNC_COMMAND: 0x00000002,
  RELATED_OPERATIONS: 0x00000004,
  SIGNED: 0x00000008,
  PRIORITY_MASK: 0x00000070,
  DFS_OPERATIONS: 0x10000000,
  REPLAY_OPERATION: 0x20000000,
});

/** 2.2.3 Dialects; WILDCARD (0x02FF) only ever appears in a response to an SMB1 multi-protocol negotiate. */
export const Dialect = Object.freeze({
  SMB2_0_2: 0x0202,
  SMB2_1: 0x0210,
  SMB3_0: 0x0300,
  SMB3_0_2: 0x0302,
  SMB3_1_1: 0x0311,
  WILDCARD: 0x02ff,
});

/** 2.2.3 / 2.2.4 Capabilities. */
export const Capabilities = Object.freeze({
  DFS: 0x00000001,
  LEASING: 0x00000002,
  LARGE_MTU: 0x00000004,
  MULTI_CHANNEL: 0x00000008,
  PERSISTENT_HANDLES: 0x00000010,
  DIRECTORY_LEASING: 0x00000020,
  ENCRYPTION: 0x00000040,
  NOTIFICATIONS: 0x00000080,
});

/** 2.2.3 / 2.2.5 SecurityMode. */
export const SecurityMode = Object.freeze({
  SIGNING_ENABLED: 0x0001,
  SIGNING_REQUIRED: 0x0002,
});

/** 2.2.3.1 ContextType. */
export const NegotiateContextType = Object.freeze({
  PREAUTH_INTEGRITY_CAPABILITIES: 0x0001,
  ENCRYPTION_CAPABILITIES: 0x0002,
  COMPRESSION_CAPABILITIES: 0x0003,
  NETNAME_NEGOTIATE_CONTEXT_ID: 0x0005,
  TRANSPORT_CAPABILITIES: 0x0006,
  RDMA_TRANSFORM_CAPABILITIES: 0x0007,
  SIGNING_CAPABILITIES: 0x0008,
  /** SMB3 POSIX extensions (not in MS-SMB2; used by Samba, ksmbd and Linux clients). */
  POSIX_EXTENSIONS: 0x0100,
});

/** 2.2.3.1.1 HashAlgorithms. */
export const HashAlgorithm = Object.freeze({SHA_512: 0x0001});

/** 2.2.3.1.2 Ciphers. */
export const Cipher = Object.freeze({
  AES_128_CCM: 0x0001,
  AES_128_GCM: 0x0002,
  AES_256_CCM: 0x0003,
  AES_256_GCM: 0x0004,
});

/** 2.2.3.1.3 CompressionAlgorithms and Flags. */
export const CompressionAlgorithm = Object.freeze({
  NONE: 0x0000,
  LZNT1: 0x0001,
  LZ77: 0x0002,
  LZ77_HUFFMAN: 0x0003,
  PATTERN_V1: 0x0004,
  LZ4: 0x0005,
});
export const CompressionCapsFlags = Object.freeze({NONE: 0x00000000, CHAINED: 0x00000001});

/** 2.2.3.1.5 TRANSPORT_CAPABILITIES Flags. */
export const TransportCapsFlags = Object.freeze({ACCEPT_TRANSPORT_LEVEL_SECURITY: 0x00000001});

/** 2.2.3.1.6 RDMATransformIds. */
export const RdmaTransform = Object.freeze({NONE: 0x0000, ENCRYPTION: 0x0001, SIGNING: 0x0002});

/** 2.2.3.1.7 SigningAlgorithms. */
export const SigningAlgorithm = Object.freeze({
  HMAC_SHA256: 0x0000,
  AES_CMAC: 0x0001,
  AES_GMAC: 0x0002,
});

/** The POSIX extensions negotiate context carries this 16-byte value as its data. */
export const POSIX_EXTENSIONS_CONTEXT_DATA: Buffer = Buffer.from('93ad25509cb411e7b42383de968bcd7c', 'hex');

/** 2.2.5 SESSION_SETUP request Flags. */
export const SessionSetupFlags = Object.freeze({BINDING: 0x01});

/** 2.2.6 SESSION_SETUP response SessionFlags. */
export const SessionFlags = Object.freeze({
  IS_GUEST: 0x0001,
  IS_NULL: 0x0002,
  ENCRYPT_DATA: 0x0004,
});

/** 2.2.9 TREE_CONNECT request Flags (3.1.1 only; Reserved in earlier dialects). */
export const TreeConnectFlags = Object.freeze({
  CLUSTER_RECONNECT: 0x0001,
  REDIRECT_TO_OWNER: 0x0002,
  EXTENSION_PRESENT: 0x0004,
});

/** 2.2.9.2 tree connect context types. */
export const TreeConnectContextType = Object.freeze({RESERVED: 0x0000, REMOTED_IDENTITY: 0x0001});

/** 2.2.10 ShareType. */
export const ShareType = Object.freeze({DISK: 0x01, PIPE: 0x02, PRINT: 0x03});

/** 2.2.10 ShareFlags (the caching policy is a 2-bit field under CACHING_MASK). */
export const ShareFlags = Object.freeze({
  MANUAL_CACHING: 0x00000000,
  AUTO_CACHING: 0x00000010,
  VDO_CACHING: 0x00000020,
  NO_CACHING: 0x00000030,
  CACHING_MASK: 0x00000030,
  DFS: 0x00000001,
  DFS_ROOT: 0x00000002,
  RESTRICT_EXCLUSIVE_OPENS: 0x00000100,
  FORCE_SHARED_DELETE: 0x00000200,
  ALLOW_NAMESPACE_CACHING: 0x00000400,
  ACCESS_BASED_DIRECTORY_ENUM: 0x00000800,
  FORCE_LEVELII_OPLOCK: 0x00001000,
  ENABLE_HASH_V1: 0x00002000,
  ENABLE_HASH_V2: 0x00004000,
  ENCRYPT_DATA: 0x00008000,
  IDENTITY_REMOTING: 0x00040000,
  COMPRESS_DATA: 0x00100000,
  ISOLATED_TRANSPORT: 0x00200000,
});

/** 2.2.10 share Capabilities. */
export const ShareCapabilities = Object.freeze({
  DFS: 0x00000008,
  CONTINUOUS_AVAILABILITY: 0x00000010,
  SCALEOUT: 0x00000020,
  CLUSTER: 0x00000040,
  ASYMMETRIC: 0x00000080,
  REDIRECT_TO_OWNER: 0x00000100,
});

/** 2.2.13.1 / MS-DTYP 2.4.3 access mask bits (file, directory and generic). */
export const Access = Object.freeze({
  FILE_READ_DATA: 0x00000001,
  FILE_LIST_DIRECTORY: 0x00000001,
  FILE_WRITE_DATA: 0x00000002,
  FILE_ADD_FILE: 0x00000002,
  FILE_APPEND_DATA: 0x00000004,
  FILE_ADD_SUBDIRECTORY: 0x00000004,
  FILE_READ_EA: 0x00000008,
  FILE_WRITE_EA: 0x00000010,
  FILE_EXECUTE: 0x00000020,
  FILE_TRAVERSE: 0x00000020,
  FILE_DELETE_CHILD: 0x00000040,
  FILE_READ_ATTRIBUTES: 0x00000080,
  FILE_WRITE_ATTRIBUTES: 0x00000100,
  DELETE: 0x00010000,
  READ_CONTROL: 0x00020000,
  WRITE_DAC: 0x00040000,
  WRITE_OWNER: 0x00080000,
  SYNCHRONIZE: 0x00100000,
  ACCESS_SYSTEM_SECURITY: 0x01000000,
  MAXIMUM_ALLOWED: 0x02000000,
  GENERIC_ALL: 0x10000000,
  GENERIC_EXECUTE: 0x20000000,
  GENERIC_WRITE: 0x40000000,
  GENERIC_READ: 0x80000000,
});

/** MS-FSCC 2.6 file attributes. */
export const FileAttributes = Object.freeze({
  READONLY: 0x00000001,
  HIDDEN: 0x00000002,
  SYSTEM: 0x00000004,
  DIRECTORY: 0x00000010,
  ARCHIVE: 0x00000020,
  NORMAL: 0x00000080,
  TEMPORARY: 0x00000100,
  SPARSE_FILE: 0x00000200,
  REPARSE_POINT: 0x00000400,
  COMPRESSED: 0x00000800,
  OFFLINE: 0x00001000,
  NOT_CONTENT_INDEXED: 0x00002000,
  ENCRYPTED: 0x00004000,
  INTEGRITY_STREAM: 0x00008000,
  NO_SCRUB_DATA: 0x00020000,
  RECALL_ON_OPEN: 0x00040000,
  PINNED: 0x00080000,
  UNPINNED: 0x00100000,
  RECALL_ON_DATA_ACCESS: 0x00400000,
});

/** 2.2.13 ShareAccess. */
export const ShareAccess = Object.freeze({READ: 0x1, WRITE: 0x2, DELETE: 0x4});

/** 2.2.13 RequestedOplockLevel / 2.2.14 OplockLevel. */
export const OplockLevel = Object.freeze({NONE: 0x00, II: 0x01, EXCLUSIVE: 0x08, BATCH: 0x09, LEASE: 0xff});

/** 2.2.13 ImpersonationLevel. */
export const ImpersonationLevel = Object.freeze({ANONYMOUS: 0, IDENTIFICATION: 1, IMPERSONATION: 2, DELEGATE: 3});

/** 2.2.13 CreateDisposition. */
export const CreateDisposition = Object.freeze({
  SUPERSEDE: 0,
  OPEN: 1,
  CREATE: 2,
  OPEN_IF: 3,
  OVERWRITE: 4,
  OVERWRITE_IF: 5,
});

/** 2.2.13 CreateOptions. */
export const CreateOptions = Object.freeze({
  DIRECTORY_FILE: 0x00000001,
  WRITE_THROUGH: 0x00000002,
  SEQUENTIAL_ONLY: 0x00000004,
  NO_INTERMEDIATE_BUFFERING: 0x00000008,
  SYNCHRONOUS_IO_ALERT: 0x00000010,
  SYNCHRONOUS_IO_NONALERT: 0x00000020,
  NON_DIRECTORY_FILE: 0x00000040,
  COMPLETE_IF_OPLOCKED: 0x00000100,
  NO_EA_KNOWLEDGE: 0x00000200,
  OPEN_REMOTE_INSTANCE: 0x00000400,
  RANDOM_ACCESS: 0x00000800,
  DELETE_ON_CLOSE: 0x00001000,
  OPEN_BY_FILE_ID: 0x00002000,
  OPEN_FOR_BACKUP_INTENT: 0x00004000,
  NO_COMPRESSION: 0x00008000,
  OPEN_REQUIRING_OPLOCK: 0x00010000,
  DISALLOW_EXCLUSIVE: 0x00020000,
  RESERVE_OPFILTER: 0x00100000,
  OPEN_REPARSE_POINT: 0x00200000,
  OPEN_NO_RECALL: 0x00400000,
  OPEN_FOR_FREE_SPACE_QUERY: 0x00800000,
});

/** 2.2.14 CreateAction. */
export const CreateAction = Object.freeze({SUPERSEDED: 0, OPENED: 1, CREATED: 2, OVERWRITTEN: 3});

/** 2.2.14 CREATE response Flags. */
export const CreateResponseFlags = Object.freeze({REPARSEPOINT: 0x01});

/** 2.2.15 CLOSE Flags. */
export const CloseFlags = Object.freeze({POSTQUERY_ATTRIB: 0x0001});

/** 2.2.19 READ Flags / 2.2.20 response Flags. */
export const ReadFlags = Object.freeze({READ_UNBUFFERED: 0x01, REQUEST_COMPRESSED: 0x02});
export const ReadResponseFlags = Object.freeze({RDMA_TRANSFORM: 0x00000001});

/** 2.2.21 WRITE Flags. */
export const WriteFlags = Object.freeze({WRITE_THROUGH: 0x00000001, WRITE_UNBUFFERED: 0x00000002});

/** 2.2.19 / 2.2.21 Channel. */
export const Channel = Object.freeze({NONE: 0, RDMA_V1: 1, RDMA_V1_INVALIDATE: 2, RDMA_TRANSFORM: 3});

/** 2.2.26 LOCK element Flags. */
export const LockFlags = Object.freeze({
  SHARED_LOCK: 0x00000001,
  EXCLUSIVE_LOCK: 0x00000002,
  UNLOCK: 0x00000004,
  FAIL_IMMEDIATELY: 0x00000010,
});

/** 2.2.31 IOCTL Flags. */
export const IoctlFlags = Object.freeze({IS_FSCTL: 0x00000001});

/** 2.2.31 CtlCode values an SMB2 server sees (file-system ones live in src/smb2/fscc/). */
export const Fsctl = Object.freeze({
  DFS_GET_REFERRALS: 0x00060194,
  DFS_GET_REFERRALS_EX: 0x000601b0,
  PIPE_PEEK: 0x0011400c,
  PIPE_WAIT: 0x00110018,
  PIPE_TRANSCEIVE: 0x0011c017,
  SRV_COPYCHUNK: 0x001440f2,
  SRV_COPYCHUNK_WRITE: 0x001480f2,
  SRV_ENUMERATE_SNAPSHOTS: 0x00144064,
  SRV_REQUEST_RESUME_KEY: 0x00140078,
  SRV_READ_HASH: 0x001441bb,
  LMR_REQUEST_RESILIENCY: 0x001401d4,
  QUERY_NETWORK_INTERFACE_INFO: 0x001401fc,
  SET_REPARSE_POINT: 0x000900a4,
  FILE_LEVEL_TRIM: 0x00098208,
  VALIDATE_NEGOTIATE_INFO: 0x00140204,
});

/** 2.2.33 QUERY_DIRECTORY Flags. */
export const QueryDirectoryFlags = Object.freeze({
  RESTART_SCANS: 0x01,
  RETURN_SINGLE_ENTRY: 0x02,
  INDEX_SPECIFIED: 0x04,
  REOPEN: 0x10,
});

/** 2.2.35 CHANGE_NOTIFY Flags and CompletionFilter. */
export const ChangeNotifyFlags = Object.freeze({WATCH_TREE: 0x0001});
export const CompletionFilter = Object.freeze({
  FILE_NAME: 0x00000001,
  DIR_NAME: 0x00000002,
  ATTRIBUTES: 0x00000004,
  SIZE: 0x00000008,
  LAST_WRITE: 0x00000010,
  LAST_ACCESS: 0x00000020,
  CREATION: 0x00000040,
  EA: 0x00000080,
  SECURITY: 0x00000100,
  STREAM_NAME: 0x00000200,
  STREAM_SIZE: 0x00000400,
  STREAM_WRITE: 0x00000800,
});

/** 2.2.37 InfoType. */
export const InfoType = Object.freeze({FILE: 0x01, FILESYSTEM: 0x02, SECURITY: 0x03, QUOTA: 0x04});

/** 2.2.37 QUERY_INFO Flags (used with FileFullEaInformation). */
export const QueryInfoFlags = Object.freeze({RESTART_SCAN: 0x01, RETURN_SINGLE_ENTRY: 0x02, INDEX_SPECIFIED: 0x04});

/** 2.2.37 AdditionalInformation for SMB2_0_INFO_SECURITY. */
export const SecurityInformation = Object.freeze({
  OWNER: 0x00000001,
  GROUP: 0x00000002,
  DACL: 0x00000004,
  SACL: 0x00000008,
  LABEL: 0x00000010,
  ATTRIBUTE: 0x00000020,
  SCOPE: 0x00000040,
  BACKUP: 0x00010000,
});

/** MS-FSCC 2.4 file information classes that clients send in QUERY_DIRECTORY / QUERY_INFO / SET_INFO. */
export const FileInfoClass = Object.freeze({
  FileDirectoryInformation: 1,
  FileFullDirectoryInformation: 2,
  FileBothDirectoryInformation: 3,
  FileBasicInformation: 4,
  FileStandardInformation: 5,
  FileInternalInformation: 6,
  FileEaInformation: 7,
  FileAccessInformation: 8,
  FileNameInformation: 9,
  FileRenameInformation: 10,
  FileLinkInformation: 11,
  FileNamesInformation: 12,
  FileDispositionInformation: 13,
  FilePositionInformation: 14,
  FileFullEaInformation: 15,
  FileModeInformation: 16,
  FileAlignmentInformation: 17,
  FileAllInformation: 18,
  FileAllocationInformation: 19,
  FileEndOfFileInformation: 20,
  FileAlternateNameInformation: 21,
  FileStreamInformation: 22,
  FilePipeInformation: 23,
  FilePipeLocalInformation: 24,
  FilePipeRemoteInformation: 25,
  FileCompressionInformation: 28,
  FileObjectIdInformation: 29,
  FileQuotaInformation: 32,
  FileReparsePointInformation: 33,
  FileNetworkOpenInformation: 34,
  FileAttributeTagInformation: 35,
  FileIdBothDirectoryInformation: 37,
  FileIdFullDirectoryInformation: 38,
  FileValidDataLengthInformation: 39,
  FileShortNameInformation: 40,
  FileNormalizedNameInformation: 48,
  FileIdInformation: 59,
  FileIdExtdDirectoryInformation: 60,
  FileDispositionInformationEx: 64,
  FileRenameInformationEx: 65,
});

/** MS-FSCC 2.5 file system information classes. */
export const FsInfoClass = Object.freeze({
  FileFsVolumeInformation: 1,
  FileFsLabelInformation: 2,
  FileFsSizeInformation: 3,
  FileFsDeviceInformation: 4,
  FileFsAttributeInformation: 5,
  FileFsControlInformation: 6,
  FileFsFullSizeInformation: 7,
  FileFsObjectIdInformation: 8,
  FileFsDriverPathInformation: 9,
  FileFsVolumeFlagsInformation: 10,
  FileFsSectorSizeInformation: 11,
});

/** 2.2.13.2.8 / 2.2.23.2 lease state bits. */
export const LeaseState = Object.freeze({NONE: 0x00, READ_CACHING: 0x01, HANDLE_CACHING: 0x02, WRITE_CACHING: 0x04});

/** 2.2.13.2.10 lease Flags. */
export const LeaseFlags = Object.freeze({BREAK_IN_PROGRESS: 0x00000002, PARENT_LEASE_KEY_SET: 0x00000004});

/** 2.2.23.2 lease break notification Flags. */
export const LeaseBreakFlags = Object.freeze({ACK_REQUIRED: 0x01});

/** 2.2.2.1 ErrorId. */
export const ErrorId = Object.freeze({DEFAULT: 0x00000000, SHARE_REDIRECT: 0x72645253});

/** 2.2.41 TRANSFORM_HEADER Flags (3.1.1) / EncryptionAlgorithm (3.0, 3.0.2): both say "encrypted". */
export const TransformFlags = Object.freeze({ENCRYPTED: 0x0001});

/** 2.2.42 compression transform Flags. */
export const CompressionFlags = Object.freeze({NONE: 0x0000, CHAINED: 0x0001});
