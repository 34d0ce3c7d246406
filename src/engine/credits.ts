/**
 * The command sequence window and credit grants (MS-SMB2 3.3.1.1, 3.3.1.2, 3.3.5.2.3, 3.3.5.2.5).
 *
 * The window starts as {0}. Each request consumes its MessageId (and, with multi-credit, CreditCharge
 * consecutive ids); an id is never accepted twice; ids may arrive out of order. Grants extend the window at
 * its top. We keep `low` (lowest id not yet consumed), `high` (one past the highest id granted) and the set
 * of ids consumed above `low`, so the client's outstanding credits are high - low - |consumed above low|
 * and never exceed `smb2 max credits`.
 */

export class CreditWindow {
  #low = 0;
  #high = 1;
  readonly #used = new Set<number>();

  constructor(readonly maxCredits: number) {
    if (maxCredits < 1) throw new RangeError('max credits must be at least 1');
  }

  /** Credits the client holds right now (ids it may still use). */
  get available(): number {
    return this.#high - this.#low - this.#used.size;
  }

  /** Lowest id the window still accepts, and one past the highest (for logs and tests). */
  get bounds(): [number, number] {
    return [this.#low, this.#high];
  }

  /**
   * Take `charge` consecutive ids starting at `messageId` out of the window. False (nothing consumed)
   * when any of them is outside the window or already used: the caller drops the connection.
   */
  consume(messageId: bigint, charge: number): boolean {
    const n = charge < 1 ? 1 : charge;
    if (messageId < 0n || messageId > BigInt(Number.MAX_SAFE_INTEGER - n)) return false;
    const first = Number(messageId);
    if (first < this.#low || first + n > this.#high) return false;
    for (let id = first; id < first + n; id++) if (this.#used.has(id)) return false;
    for (let id = first; id < first + n; id++) {
      if (id === this.#low) {
        this.#low++;
        while (this.#used.delete(this.#low)) this.#low++;
      } else this.#used.add(id);
    }
    return true;
  }

  /**
   * Credits to grant for a response whose request asked for `requested` (3.3.1.2): what was asked, at
   * least one, never past `maxCredits` outstanding. A client left with none can always make progress:
   * its next response grants at least one once it holds nothing.
   */
  grant(requested: number): number {
    const room = this.maxCredits - this.available;
    let g = Math.max(requested, 1);
    if (g > room) g = room;
    if (g < 0) g = 0;
    if (g === 0 && this.available === 0) g = 1;
    this.#high += g;
    return g;
  }
}

/**
 * The CreditCharge a request must carry for its payload (3.3.5.2.5): 1 + (size - 1) / 65536, where the
 * size is the larger of what it sends and what it may receive. `payload` is 0 for fixed-size commands.
 */
export function chargeFor(payload: number): number {
  return payload <= 0 ? 1 : 1 + Math.floor((payload - 1) / 65536);
}
