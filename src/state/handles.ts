/**
 * Generation-tagged handle tables (DESIGN habit 5): an id is (generation << slotBits) | slot, and a slot's
 * generation moves on every time it is freed, so an id kept by a client after the object went away never
 * finds the object that later reuses the slot. Ids are plain numbers (at most 2^53), converted to the wire's
 * u32 / u64 by the caller; 0 is never handed out (SMB2 uses 0 for "none" in SessionId and TreeId).
 */

interface Slot<T> {
  gen: number;
  value: T | undefined;
}

export class HandleTable<T> {
  readonly #slots: Slot<T>[] = [{gen: 0, value: undefined}]; // slot 0 is never used: ids are never 0
  readonly #free: number[] = [];
  readonly #slotLimit: number;
  readonly #genLimit: number;
  #size = 0;

  /**
   * @param slotBits bits for the slot number (the table holds at most 2^slotBits - 1 objects)
   * @param genBits bits for the generation; it wraps, so a stale id is caught for 2^genBits reuses of a slot
   */
  constructor(
    readonly slotBits: number,
    readonly genBits: number,
  ) {
    if (slotBits + genBits > 53) throw new RangeError('handle ids must fit 53 bits');
    this.#slotLimit = 2 ** slotBits;
    this.#genLimit = 2 ** genBits;
  }

  get size(): number {
    return this.#size;
  }

  /** Store `make(id)` under a fresh id; undefined when the table is full. */
  add(make: (id: number) => T): {id: number; value: T} | undefined {
    let slot = this.#free.pop();
    if (slot === undefined) {
      if (this.#slots.length >= this.#slotLimit) return undefined;
      slot = this.#slots.length;
      this.#slots.push({gen: 1, value: undefined});
    }
    const s = this.#slots[slot]!;
    const id = s.gen * this.#slotLimit + slot;
    const value = make(id);
    s.value = value;
    this.#size++;
    return {id, value};
  }

  get(id: number): T | undefined {
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const slot = id % this.#slotLimit;
    const gen = Math.floor(id / this.#slotLimit);
    const s = this.#slots[slot];
    return s !== undefined && s.gen === gen ? s.value : undefined;
  }

  /** Forget the object under `id`; its id (and every older one of the slot) stops resolving. */
  delete(id: number): T | undefined {
    const value = this.get(id);
    if (value === undefined) return undefined;
    const slot = id % this.#slotLimit;
    const s = this.#slots[slot]!;
    s.value = undefined;
    s.gen = s.gen + 1 >= this.#genLimit ? 1 : s.gen + 1;
    this.#free.push(slot);
    this.#size--;
    return value;
  }

  *values(): IterableIterator<T> {
    for (const s of this.#slots) if (s.value !== undefined) yield s.value;
  }
}

/** A u64 wire id (SessionId, FileId) as a table id; ids beyond 2^53 cannot be ours. */
export function tableId(wire: bigint): number {
  return wire > 0n && wire <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wire) : 0;
}
