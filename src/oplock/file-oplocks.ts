/**
 * The oplocks of one file (MS-SMB2 3.3.5.9 grant, 3.3.4.6 break, 3.3.5.22.1 acknowledgment; MS-FSA 2.1.4.12
 * reduced to SMB2 oplocks): which opens hold which level, which are breaking, and the requests waiting for
 * breaks to finish. One FileOplocks per file identity (dev+ino), shared by every open of the file in this
 * daemon (it lives in the registry's FileEntry). Pure state plus timers: sending the notification is the
 * caller's `send` callback, so the machine is tested without a connection.
 *
 * Levels: NONE, II (shared read caching), EXCLUSIVE, BATCH (exclusive plus handle caching).
 */
import {OplockLevel} from '../smb2/constants.js';
import {NtStatus} from '../smb2/ntstatus.js';

/** Sends the break notification carrying `level` (the most the holder may keep) to the holder's client. */
export type BreakSender = (level: number) => void;

interface Held {
  level: number;
  /** Open.OplockState Breaking: a notification went out, an acknowledgment is due. */
  breaking: boolean;
  /** The level named in the notification: the acknowledgment may not ask for more. */
  breakTo: number;
  timer: NodeJS.Timeout | undefined;
  send: BreakSender;
}

export interface AckResult {
  status: number;
  /** The level the holder now has (the response's OplockLevel on success). */
  level: number;
}

/** A wait for breaks to finish: `done` resolves when none is outstanding; abandon() stops caring. */
export interface BreakWait {
  done: Promise<void>;
  abandon(): void;
}

export function isExclusive(level: number): boolean {
  return level === OplockLevel.EXCLUSIVE || level === OplockLevel.BATCH;
}

export class FileOplocks<H extends object = object> {
  readonly #held = new Map<H, Held>();
  readonly #waiters = new Set<() => void>();
  /** Opens whose LEVEL_II was broken to NONE: no acknowledgment is expected, one that comes is a protocol error. */
  readonly #droppedII = new Set<H>();

  /** The level `h` holds now (NONE when it holds nothing). */
  level(h: H): number {
    return this.#held.get(h)?.level ?? OplockLevel.NONE;
  }

  breaking(h: H): boolean {
    return this.#held.get(h)?.breaking ?? false;
  }

  /** Some holder is still being broken (a request that waited must wait on). */
  get anyBreaking(): boolean {
    for (const x of this.#held.values()) if (x.breaking) return true;
    return false;
  }

  /**
   * 3.3.5.9 / MS-FSA 2.1.5.18: grant `requested` to the new open `h`. BATCH and EXCLUSIVE only to the sole
   * open of the file (`others` counts the other opens); LEVEL_II when no other open holds or is breaking an
   * exclusive oplock; otherwise NONE. Returns the level granted.
   */
  grant(h: H, requested: number, others: number, send: BreakSender): number {
    let level: number = OplockLevel.NONE;
    if (isExclusive(requested) && others === 0 && this.#held.size === 0) level = requested;
    else if (requested === OplockLevel.II || isExclusive(requested)) {
      let blocked = false;
      for (const x of this.#held.values()) if (isExclusive(x.level) || x.breaking) blocked = true;
      if (!blocked) level = OplockLevel.II;
    }
    if (level !== OplockLevel.NONE) this.#held.set(h, {level, breaking: false, breakTo: level, timer: undefined, send});
    return level;
  }

  /**
   * A conflicting open (MS-FSA 2.1.5.1.2, 2.1.4.12 Operation OPEN), in two phases. 'batch', before the
   * sharing check: BATCH holders are broken (their client may close the cached handle, which lets the open
   * succeed). 'other', once the sharing check passed: EXCLUSIVE holders are broken, and when the open
   * overwrites, LEVEL_II holders lose theirs (no acknowledgment). Breaks go to LEVEL_II, or to NONE when
   * the open overwrites. An acknowledgment not in within `timeoutMs` (35 s by the spec) ends the oplock.
   * Returns a wait while acknowledgments are outstanding, else undefined.
   */
  breakForOpen(phase: 'batch' | 'other', overwrite: boolean, timeoutMs = 35_000): BreakWait | undefined {
    const to = overwrite ? OplockLevel.NONE : OplockLevel.II;
    for (const [h, x] of this.#held) {
      if (x.breaking) continue;
      if (x.level === OplockLevel.BATCH || (phase === 'other' && x.level === OplockLevel.EXCLUSIVE)) this.#startBreak(x, to, timeoutMs);
      else if (phase === 'other' && overwrite && x.level === OplockLevel.II) this.#dropLevelII(h, x);
    }
    return this.anyBreaking ? this.#wait() : undefined;
  }

  /**
   * A WRITE, size change or byte-range LOCK (MS-FSA 2.1.4.12): every LEVEL_II holder, the writer's own open
   * included, goes to NONE at once; the client is told but sends no acknowledgment (2.2.24.1).
   */
  breakLevelII(): void {
    for (const [h, x] of this.#held) if (x.level === OplockLevel.II && !x.breaking) this.#dropLevelII(h, x);
  }

  /**
   * 3.3.5.22.1: the holder acknowledges a break with `level`. Not breaking: STATUS_INVALID_DEVICE_STATE,
   * except right after a LEVEL_II break, which wants no acknowledgment: the object store refuses one with
   * STATUS_INVALID_OPLOCK_PROTOCOL (MS-FSA 2.1.5.18.3), and that is what the client gets.
   * A lease level: the oplock goes, STATUS_INVALID_PARAMETER. From EXCLUSIVE/BATCH only NONE or LEVEL_II
   * (and no more than the notification offered), else the oplock goes and STATUS_INVALID_OPLOCK_PROTOCOL.
   */
  acknowledge(h: H, level: number): AckResult {
    const x = this.#held.get(h);
    if (this.#droppedII.delete(h)) return {status: NtStatus.INVALID_OPLOCK_PROTOCOL, level: OplockLevel.NONE};
    if (!x || !x.breaking) return {status: NtStatus.INVALID_DEVICE_STATE, level: x?.level ?? OplockLevel.NONE};
    if (level === OplockLevel.LEASE) {
      this.#finish(h, x, OplockLevel.NONE);
      return {status: NtStatus.INVALID_PARAMETER, level: OplockLevel.NONE};
    }
    const fromExclusive = isExclusive(x.level);
    const valid = fromExclusive
      ? (level === OplockLevel.NONE || level === OplockLevel.II) && level <= x.breakTo
      : level === OplockLevel.NONE;
    if (!valid) {
      this.#finish(h, x, OplockLevel.NONE);
      return {status: NtStatus.INVALID_OPLOCK_PROTOCOL, level: OplockLevel.NONE};
    }
    this.#finish(h, x, level);
    return {status: NtStatus.SUCCESS, level};
  }

  /** The open goes (CLOSE, teardown): its oplock and any break of it end; waiters re-check. */
  remove(h: H): void {
    this.#droppedII.delete(h);
    const x = this.#held.get(h);
    if (!x) return;
    if (x.timer) clearTimeout(x.timer);
    this.#held.delete(h);
    if (x.breaking) this.#wake();
  }

  #startBreak(x: Held, to: number, timeoutMs: number): void {
    x.breaking = true;
    x.breakTo = to;
    // 3.3.2.x Oplock Break Acknowledgment Timer: no acknowledgment in time and the oplock is gone.
    x.timer = setTimeout(() => {
      x.timer = undefined;
      for (const [h, y] of this.#held) if (y === x) this.#finish(h, x, OplockLevel.NONE);
    }, timeoutMs);
    x.timer.unref?.();
    x.send(to);
  }

  #dropLevelII(h: H, x: Held): void {
    this.#held.delete(h);
    this.#droppedII.add(h);
    x.send(OplockLevel.NONE);
  }

  #finish(h: H, x: Held, level: number): void {
    if (x.timer) clearTimeout(x.timer);
    x.timer = undefined;
    x.breaking = false;
    x.level = level;
    if (level === OplockLevel.NONE) this.#held.delete(h);
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #wait(): BreakWait {
    let check!: () => void;
    const done = new Promise<void>((resolve) => {
      check = () => {
        if (this.anyBreaking) return;
        this.#waiters.delete(check);
        resolve();
      };
    });
    this.#waiters.add(check);
    return {done, abandon: () => this.#waiters.delete(check)};
  }
}
