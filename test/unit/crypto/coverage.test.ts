import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

// Every kind in vectors.json has a test file here that asserts its count; this guards against
// a new kind arriving in the JSON and being silently ignored.
const COVERED: Record<string, number> = {
  md4: 7, nt_hash: 8, // md4.test.ts
  rc4: 2, // rc4.test.ts
  hmac_md5: 2, ntlmv1_keys: 1, ntlmv2_client: 1, ntlmv2_server: 1, ntlmv2_spnego_server: 4, // ntlm.test.ts
  sp800_108_ctr_hmac_sha256: 3, smb3_kdf: 1, smb30_keys: 3, smb311_keys: 5, // kdf.test.ts
  preauth_integrity: 4, // preauth.test.ts
  cmac_subkeys: 1, aes_cmac: 4, smb2_sign_hmac_sha256: 2, smb2_sign_aes_cmac: 9, smb2_sign_aes_gmac: 2, // sign.test.ts
  aes_ccm: 1, aes_gcm: 4, smb3_encrypt: 8, smb3_decrypt: 6, // seal.test.ts
};

describe('vector coverage', () => {
  it('every kind in vectors.json is covered, with the expected count', () => {
    const file = fileURLToPath(new URL('../../vectors/vectors.json', import.meta.url));
    const {vectors} = JSON.parse(readFileSync(file, 'utf8')) as {vectors: {kind: string}[]};
    const counts: Record<string, number> = {};
    for (const v of vectors) counts[v.kind] = (counts[v.kind] ?? 0) + 1;
    expect(counts).toEqual(COVERED);
  });
});
