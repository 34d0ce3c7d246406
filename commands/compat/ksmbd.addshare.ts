#!/usr/bin/env node
// Drop-in for ksmbd-tools' ksmbd.addshare: same options, messages and exit codes.
import {runTool} from '../../src/cli/tools/common.js';
import {addshareMain} from '../../src/cli/tools/addshare.js';

runTool(addshareMain);
