// Errors raised by the authentication codecs (ASN.1/SPNEGO/NTLMSSP).
// AuthDecodeError is a MalformedPacket (src/wire/errors.ts), so the SESSION_SETUP handler maps it the way
// it maps any bad message body: STATUS_INVALID_PARAMETER for that one request.
// Messages name the structure and the offending offset/length only: never token bytes, names or keys.

import {MalformedPacket} from '../wire/errors.js';

/** Distinguishable with instanceof; its `name` stays 'MalformedPacket' (the base declares it readonly). */
export class AuthDecodeError extends MalformedPacket {}
