// The daemon's logger: error/warn/info always on, debug lines per component (see components.ts).
// Logs tell a story, never a secret (DESIGN habit 9): callers never pass passwords, hashes or keys,
// and as a second line of defence anything shaped like an NT hash or a key is masked here.
import {DebugSwitches, type DebugComponent} from './components.js';
import {MemorySink, type Level, type LogSink} from './sinks.js';

// base64 of 16 bytes (an NT hash as ksmbdpwd.db stores it) and long hex runs (keys, hashes).
const SECRET_SHAPES = [/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{22}==(?![A-Za-z0-9+/=])/g, /\b[0-9a-fA-F]{32,}\b/g];

/** One line of printable text: control characters would let a client forge log lines. */
export function cleanLogText(text: string): string {
  let s = text.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? ' | ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  for (const re of SECRET_SHAPES) s = s.replace(re, '[redacted]');
  return s;
}

export class Logger {
  readonly debugSwitches: DebugSwitches;
  private sink: LogSink;

  constructor(sink: LogSink = new MemorySink(), debugSwitches = new DebugSwitches()) {
    this.sink = sink;
    this.debugSwitches = debugSwitches;
  }

  get sinkDescription(): string {
    return this.sink.description;
  }

  /** Switch to another sink, replaying lines held in memory. */
  setSink(sink: LogSink): void {
    const old = this.sink;
    this.sink = sink;
    if (old instanceof MemorySink) for (const [level, text] of old.lines) sink.write(level, text);
    void old.close();
  }

  private write(level: Level, text: string): void {
    this.sink.write(level, cleanLogText(text));
  }

  error(text: string): void {
    this.write('error', text);
  }

  warn(text: string): void {
    this.write('warn', text);
  }

  info(text: string): void {
    this.write('info', text);
  }

  /** A debug line of one component; the text is built only when the component is on. */
  debug(component: DebugComponent, text: string | (() => string)): void {
    if (!this.debugSwitches.isOn(component)) return;
    this.write('debug', `${component}: ${typeof text === 'function' ? text() : text}`);
  }

  isDebug(component: DebugComponent): boolean {
    return this.debugSwitches.isOn(component);
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
