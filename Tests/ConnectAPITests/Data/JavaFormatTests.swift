import ConnectAPI
import Testing

/// Floating-point values print as JDK 19+ `Double.toString` / `Float.toString` (Kafka's images run
/// JDK 21), including the subnormals where Java prefers the closest two-digit decimal to a one-digit
/// shortest form.
@Suite struct JavaFormatTests {
    @Test func doubleSubnormalsMatchJava() {
        // Subnormal literals are parsed at run time (a literal would warn that it underflows).
        // Expected strings are Java's `Double.toString` (JDK 19+) of the same values.
        let cases: [(Double, String)] = [
            (.leastNonzeroMagnitude, "4.9E-324"),
            (-.leastNonzeroMagnitude, "-4.9E-324"),
            // 1.0E-323 = 2 × MIN_VALUE: JDK 19+ prints 9.9E-324 (JDK 8-18 printed 1.0E-323).
            (Double("1.0e-323")!, "9.9E-324"),
            (2 * .leastNonzeroMagnitude, "9.9E-324"),
            (3 * .leastNonzeroMagnitude, "1.5E-323"),
            (Double(bitPattern: 10), "4.9E-323"),
            (Double(bitPattern: 20), "9.9E-323"),
            (Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), "2.225073858507201E-308"),
            (Double("2.225073858507201e-308")!, "2.225073858507201E-308"),
            (.leastNormalMagnitude, "2.2250738585072014E-308"),
            (Double("1e-310")!, "1.0E-310"),
        ]
        for (value, java) in cases {
            #expect(ConnectValue.float64(value).description == java, "\(value)")
        }
    }

    @Test func floatSubnormalsMatchJava() {
        let cases: [(Float, String)] = [
            (.leastNonzeroMagnitude, "1.4E-45"),
            (-.leastNonzeroMagnitude, "-1.4E-45"),
            (2 * .leastNonzeroMagnitude, "2.8E-45"),
            (3 * .leastNonzeroMagnitude, "4.2E-45"),
        ]
        for (value, java) in cases {
            #expect(ConnectValue.float32(value).description == java, "\(value)")
        }
    }

    /// Every rendering still parses back to the same value, and normal numbers keep their shortest form.
    @Test func subnormalRenderingsRoundTrip() {
        for bits in UInt64(1)...2000 {
            let value = Double(bitPattern: bits)
            #expect(Double(ConnectValue.float64(value).description) == value, "\(bits)")
        }
        for bits in UInt32(1)...2000 {
            let value = Float(bitPattern: bits)
            #expect(Float(ConnectValue.float32(value).description) == value, "\(bits)")
        }
        #expect(ConnectValue.float64(5e-300).description == "5.0E-300")
        #expect(ConnectValue.float64(1e-5).description == "1.0E-5")
    }
}
