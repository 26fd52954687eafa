import NIOCore

// Tagged-field section helpers used by the generated messages (Generated/). They let the generated
// code decode known tags with a plain loop and a switch instead of a closure, which keeps the large
// generated files quick to type-check.

extension ByteBuffer {
    /// Reads the number of fields of a tagged-field section. The count is bounded by the remaining
    /// bytes (every tagged field takes at least two), so a hostile count allocates nothing.
    public mutating func readKafkaTaggedFieldCount() throws -> Int {
        let count = Int(try self.readKafkaUnsignedVarint())
        guard count <= self.readableBytes else {
            throw KafkaProtocolError.truncated(needed: count - self.readableBytes)
        }
        return count
    }

    /// Reads one tagged field (tag, size and a slice of `size` bytes: no copy).
    public mutating func readKafkaTaggedField() throws -> KafkaTaggedField {
        let tag = try self.readKafkaUnsignedVarint()
        let size = Int(try self.readKafkaUnsignedVarint())
        guard let data = self.readSlice(length: size) else {
            throw KafkaProtocolError.truncated(needed: size - self.readableBytes)
        }
        return KafkaTaggedField(tag: tag, data: data)
    }

    /// Writes a whole tagged-field section: the count, then the fields in ascending tag order (as
    /// KIP-482 requires). Fields with equal tags keep their relative order.
    public mutating func writeKafkaTaggedFields(_ fields: [KafkaTaggedField]) {
        self.writeKafkaUnsignedVarint(UInt32(truncatingIfNeeded: fields.count))
        if fields.count < 2 {
            for field in fields {
                self.writeKafkaRawTaggedField(field)
            }
            return
        }
        // Insertion sort: stable, and sections hold a handful of fields.
        var sorted = fields
        var index = 1
        while index < sorted.count {
            let current = sorted[index]
            var position = index
            while position > 0 && sorted[position - 1].tag > current.tag {
                sorted[position] = sorted[position - 1]
                position -= 1
            }
            sorted[position] = current
            index += 1
        }
        for field in sorted {
            self.writeKafkaRawTaggedField(field)
        }
    }
}
