/// A growable output buffer written through a raw pointer: the JSON writer appends structural bytes,
/// escaped strings, numbers and cached schema JSON without `Array`'s per-append checks.
///
/// Not copyable, so the buffer has exactly one owner; ``makeArray()`` copies the result out and the
/// memory is freed when the writer goes away.
struct ByteWriter: ~Copyable {
    private var pointer: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    /// Whether the buffer was allocated here (an external buffer is replaced by an owned one when it
    /// is too small).
    private(set) var ownsBuffer: Bool

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 64)
        pointer = .allocate(capacity: self.capacity)
        ownsBuffer = true
    }

    /// Writes into memory owned by the caller (an array being initialized) until it is full; then the
    /// writer moves to a buffer of its own (``ownsBuffer`` becomes true).
    init(external buffer: UnsafeMutableBufferPointer<UInt8>) {
        pointer = buffer.baseAddress!
        capacity = buffer.count
        ownsBuffer = false
    }

    deinit {
        if ownsBuffer { pointer.deallocate() }
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2)
        let newPointer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newPointer.update(from: pointer, count: count)
        if ownsBuffer { pointer.deallocate() }
        pointer = newPointer
        capacity = newCapacity
        ownsBuffer = true
    }

    /// Appends a byte; room must have been reserved.
    @inline(__always)
    mutating func appendUnchecked(_ byte: UInt8) {
        pointer[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        appendUnchecked(byte)
    }

    @inline(__always)
    mutating func append(_ byte1: UInt8, _ byte2: UInt8) {
        reserve(2)
        pointer[count] = byte1
        pointer[count &+ 1] = byte2
        count &+= 2
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (pointer + count).update(from: base, count: bytes.count)
        count &+= bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends `bytes[start..<end]`.
    @inline(__always)
    mutating func append(_ bytes: [UInt8], from start: Int, to end: Int) {
        bytes.withUnsafeBufferPointer { append(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Appends the ASCII text of a static string (`"null"`, `"true"`).
    mutating func append(ascii text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The position of the next byte, for writers that fill a known length backwards.
    @inline(__always)
    mutating func unsafeTail(reserving length: Int) -> UnsafeMutablePointer<UInt8> {
        reserve(length)
        return pointer + count
    }

    @inline(__always)
    mutating func advance(by length: Int) {
        count &+= length
    }

    /// Drops everything written after `length` bytes.
    mutating func truncate(to length: Int) {
        count = Swift.min(count, length)
    }

    /// The bytes written so far, copied into an array.
    func makeArray() -> [UInt8] {
        [UInt8](UnsafeBufferPointer(start: pointer, count: count))
    }
}
