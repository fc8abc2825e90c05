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
 *
 * Copies share storage until one of them changes ({@link ByteBuffer.clone}): a second look copies
 * the whole disk a crash left, and recovery then rewrites a few of its files at most. Storage
 * once shared (by a copy, or by a {@link ByteBuffer.sealedView}) is never changed again: a change
 * of either side first takes storage of its own. So a sealed array and a size name contents for
 * good, which memos keyed by identity rely on (disk-copy.ts).
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
  /** Whether `#bytes` may be seen elsewhere (a copy, a sealed view): then it is never changed again. */
  #shared = false;

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

  /**
   * A view of `[0, size)` that stays valid for good: the storage under it is sealed, so the next
   * change of this buffer copies it first. Callers must not modify it.
   */
  sealedView(): Uint8Array {
    this.#shared = true;
    return this.#bytes.subarray(0, this.#size);
  }

  /**
   * The storage under the bytes, sealed as by {@link sealedView}: with {@link size} it names the
   * contents for good, so a memo may key on its identity. Callers must not modify it.
   */
  sealedStorage(): Uint8Array {
    this.#shared = true;
    return this.#bytes;
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
      if (this.#shared) this.#own(size, size);
      else this.#bytes.fill(0, size, this.#size);
    } else {
      this.#reserve(size);
    }
    this.#size = size;
  }

  /**
   * An independent copy. Without `sizeBytes` it shares this buffer's storage until either of
   * them changes.
   * @param sizeBytes - the size the copy is about to be changed at, if known: the copy then gets
   *   storage of its own at once, with room for it (as {@link write} would grow it), instead of
   *   sharing and copying at the change
   */
  clone(sizeBytes?: number): ByteBuffer {
    const copy = new ByteBuffer(0);
    copy.#size = this.#size;
    if (sizeBytes === undefined) {
      copy.#bytes = this.#bytes;
      copy.#shared = true;
      this.#shared = true;
      return copy;
    }
    copy.#bytes = allocateZeroed(sizeBytes > this.#size ? Math.max(sizeBytes, this.#size * 2, 1024) : Math.max(this.#size, 16));
    copy.#bytes.set(this.#bytes.subarray(0, this.#size));
    return copy;
  }

  #reserve(sizeBytes: number): void {
    const length = this.#bytes.length;
    if (sizeBytes <= length && !this.#shared) return;
    // The first allocation is sized to the data: many files are written once, whole (a manifest,
    // a sidecar, a snapshot), and a typed array of up to 64 bytes lives on V8's heap, far cheaper
    // to allocate and collect than a separate backing store. A buffer that grows again is
    // appended to: then at least 1 KiB, doubling. Shared storage that has room is copied at the
    // size in use.
    let capacity: number;
    if (length === 0) capacity = sizeBytes;
    else if (sizeBytes <= length) capacity = Math.max(sizeBytes, this.#size);
    else capacity = Math.max(sizeBytes, length * 2, 1024);
    this.#own(capacity, this.#size);
  }

  /** Takes storage of its own of `capacity` bytes, keeping `[0, keep)`. */
  #own(capacity: number, keep: number): void {
    const owned = allocateZeroed(capacity);
    owned.set(this.#bytes.subarray(0, keep));
    this.#bytes = owned;
    this.#shared = false;
  }
}
