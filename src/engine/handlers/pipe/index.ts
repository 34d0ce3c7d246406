/** The `pipe` column of the dispatch table (src/engine/dispatch.ts): handlers for requests on IPC$. */
export {handlePipeClose as close} from './close.js';
export {handlePipeCreate as create} from './create.js';
export {handlePipeFlush as flush} from './flush.js';
export {handlePipeIoctl as ioctl} from './ioctl.js';
export {handlePipeQueryInfo as queryInfo} from './query-info.js';
export {handlePipeRead as read} from './read.js';
export {handlePipeSetInfo as setInfo} from './set-info.js';
export {handlePipeUnsupported as unsupported} from './unsupported.js';
export {handlePipeWrite as write} from './write.js';
