#!/usr/bin/env node
// Drop-in for ksmbd-tools' ksmbd.control: same options, messages and exit codes.
import {runTool} from '../../src/cli/tools/common.js';
import {controlMain} from '../../src/cli/tools/control.js';

runTool(controlMain);
