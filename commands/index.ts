import Adduser from './adduser.js';
import Addshare from './addshare.js';
import Control from './control.js';
import Mountd from './mountd.js';
import Status from './status.js';

/** oclif's explicit command table (package.json "oclif.commands"). */
export const COMMANDS = {adduser: Adduser, addshare: Addshare, control: Control, mountd: Mountd, status: Status};
