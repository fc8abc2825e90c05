/**
 * Clean bytes: a growable byte array with a logical size, the bottom layer of the simulated
 * disk. It knows nothing of durability or faults. Capacity doubles on growth (or grows to the
 * size asked for, if more) so that a run of appends costs amortised O(bytes appended), never a
 * copy of the whole file per write.
 * Bytes between the size and the capacity are kept zero, so extending a file reads zeros.
 *
 * Storage comes from {@link allocateZeroed}: a simulated disk makes a hundred or so small buffers
 * per run, and a typed array over 64 bytes gets a backing store of its own, which costs V8 far
 * more to allocate and to sweep than the bytes are worth.
 */

/** Buffers up to this size are carved out of a shared chunk. */
const carvedMaxBytes = 8 * 1024;
const chunkBytes = 64 * 1024;
let chunk = new ArrayBuffer(0);
let chunkUsed = 0;
const empty = new Uint8Array(0);

/**
 * `length` zero bytes. Small buffers are views into a shared chunk, never handed out twice (a
 * chunk is garbage once every view on it is); tiny ones live on V8's heap and large ones get a
 * backing store of their own.
 */
export function allocateZeroed(length: number): Uint8Array {
  // Nothing can be written into an empty array, so one serves every empty buffer.
  if (length === 0) return empty;
  if (length <= 64 || length > carvedMaxBytes) return new Uint8Array(length);
  if (chunkUsed + length > chunk.byteLength) {
    chunk = new ArrayBuffer(chunkBytes);
    chunkUsed = 0;
  }
  const view = new Uint8Array(chunk, chunkUsed, length);
  // Keep every view 8-byte aligned, as a fresh allocation would be.
  chunkUsed += (length + 7) & ~7;
  return view;
}

/** A file's contents: `size` bytes, zero-extended on growth. */
export class ByteBuffer {
  #bytes: Uint8Array;
  #size = 0;
  #version = 0;

  /** @param capacityBytes - initial capacity (grows on demand) */
  constructor(capacityBytes = 0) {
    this.#bytes = allocateZeroed(capacityBytes);
  }

  /** The logical size in bytes. */
  get size(): number {
    return this.#size;
  }

  /**
   * Counts changes: it moves on every write and resize, so equal versions of one buffer mean
   * equal contents (a copy taken at a version is still exact; see FileState.snapshot).
   */
  get version(): number {
    return this.#version;
  }

  /** A copy of `[position, position + length)`, cut at the end of the buffer. */
  read(position: number, length: number): Uint8Array {
    const end = Math.min(this.#size, position + length);
    if (end <= position) return new Uint8Array(0);
    return this.#bytes.slice(position, end);
  }

  /** A read-only view of `[0, size)`; valid until the next change. */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#size);
  }

  /** The byte at `position` (0 past the end). */
  at(position: number): number {
    return position < this.#size ? this.#bytes[position]! : 0;
  }

  /** Writes `data[start, end)` at `position`, extending the size if needed. */
  write(position: number, data: Uint8Array, start = 0, end = data.length): void {
    const length = end - start;
    if (length <= 0) return;
    this.#version++;
    this.#reserve(position + length);
    if (length <= 64) {
      // A loop beats creating a subarray view for the small writes that dominate log workloads.
      const bytes = this.#bytes;
      for (let i = 0; i < length; i++) bytes[position + i] = data[start + i]!;
    } else {
      this.#bytes.set(start === 0 && end === data.length ? data : data.subarray(start, end), position);
    }
    if (position + length > this.#size) this.#size = position + length;
  }

  /** Sets the size: cutting zeroes the cut bytes (so later growth reads zeros), growing zero-fills. */
  resize(size: number): void {
    this.#version++;
    if (size < this.#size) {
      this.#bytes.fill(0, size, this.#size);
    } else {
      this.#reserve(size);
    }
    this.#size = size;
  }

  /**
   * An independent copy.
   * @param sizeBytes - the size the copy is about to grow to, if known: the copy is then
   *   allocated with room for it (as {@link write} would grow it), instead of being allocated
   *   at its size and at once again by the write
   */
  clone(sizeBytes = 0): ByteBuffer {
    const copy = new ByteBuffer(0);
    if (sizeBytes > this.#size) {
      copy.#bytes = allocateZeroed(Math.max(sizeBytes, this.#size * 2, 1024));
    } else {
      copy.#bytes = allocateZeroed(Math.max(this.#size, 16));
    }
    copy.#bytes.set(this.#bytes.subarray(0, this.#size));
    copy.#size = this.#size;
    return copy;
  }

  #reserve(sizeBytes: number): void {
    if (sizeBytes <= this.#bytes.length) return;
    // The first allocation is sized to the data: many files are written once, whole (a manifest,
    // a sidecar, a snapshot), and a typed array of up to 64 bytes lives on V8's heap, far cheaper
    // to allocate and collect than a separate backing store. A buffer that grows again is
    // appended to: then at least 1 KiB, doubling.
    const capacity = this.#bytes.length === 0 ? sizeBytes : Math.max(sizeBytes, this.#bytes.length * 2, 1024);
    const grown = allocateZeroed(capacity);
    grown.set(this.#bytes.subarray(0, this.#size));
    this.#bytes = grown;
  }
}
