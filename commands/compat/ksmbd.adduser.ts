#!/usr/bin/env node
// Drop-in for ksmbd-tools' ksmbd.adduser: same options, messages and exit codes.
import {runTool} from '../../src/cli/tools/common.js';
import {adduserMain} from '../../src/cli/tools/adduser.js';

runTool(adduserMain);
