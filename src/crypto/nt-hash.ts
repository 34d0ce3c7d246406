import {md4} from './md4.js';

/** NTOWFv1 (MS-NLMP 3.3.1): MD4 of the UTF-16LE password. Also the ksmbdpwd.db payload. */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}
