/** ECHO (MS-SMB2 3.3.5.17): a keep-alive; the response carries credits like any other. */
import {decodeEchoRequest, encodeEchoResponse} from '../../smb2/messages/echo.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';

export function handleEcho(_ctx: RequestContext, body: Reader): HandlerResult {
  decodeEchoRequest(body);
  return reply(encodeEchoResponse, undefined);
}
