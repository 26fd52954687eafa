import ConnectRuntime
import Foundation
import Testing

@Suite struct InternalRequestSignatureTests {
    static let key = Array("swiftconnect-session-key".utf8)
    static let body = Array(#"[{"task":"0"}]"#.utf8)

    @Test(arguments: InternalRequestSignature.supportedAlgorithms)
    func signAndVerifyRoundTrip(algorithm: String) throws {
        let headers = try InternalRequestSignature.sign(body: Self.body, key: Self.key, algorithm: algorithm)
        let signature = try #require(try InternalRequestSignature(body: Self.body, headers: headers))
        #expect(signature.algorithm == algorithm)
        #expect(signature.isValid(key: Self.key))
    }

    /// Vectors computed with Python's `hmac` and `base64` (what Java's Mac and Base64 produce).
    @Test(arguments: [
        ("HmacSHA1", "Cj0xYc0iJJSMtzW7T1kcloKryLc="),
        ("HmacSHA256", "kJlGdbD4kglXW5idyG8Epk5JQCxX5suNkDcqcqhYa0o="),
        (
            "HmacSHA512",
            "gCon98iQg6DfDqSomxO6aJHQR53Nb6dAdItqOTVd4tg9s3rOVid+C/KUl0q9zJ3qB7uIeLNWlfURtqnfmjl38Q=="
        ),
    ])
    func knownVector(algorithm: String, expected: String) throws {
        let headers = try InternalRequestSignature.sign(body: Self.body, key: Self.key, algorithm: algorithm)
        #expect(headers.map(\.name) == ["X-Connect-Authorization", "X-Connect-Request-Signature-Algorithm"])
        #expect(headers.map(\.value) == [expected, algorithm])
        // And a received signature with these headers verifies.
        let received = try #require(
            try InternalRequestSignature(
                body: Self.body,
                headers: [("x-connect-request-signature-algorithm", algorithm), ("x-connect-authorization", expected)]
            )
        )
        #expect(received.isValid(key: Self.key))
    }

    @Test func tamperedBodyOrWrongKeyIsInvalid() throws {
        let headers = try InternalRequestSignature.sign(body: Self.body, key: Self.key)
        let tampered = try #require(
            try InternalRequestSignature(body: Array(#"[{"task":"1"}]"#.utf8), headers: headers)
        )
        #expect(!tampered.isValid(key: Self.key))
        let signature = try #require(try InternalRequestSignature(body: Self.body, headers: headers))
        #expect(!signature.isValid(key: Array("another-key".utf8)))
        // A truncated signature never matches.
        var truncated = signature
        truncated.signature.removeLast()
        #expect(!truncated.isValid(key: Self.key))
    }

    @Test func unknownAlgorithmIsABadRequest() throws {
        #expect(throws: HerderRequestError.self) {
            try InternalRequestSignature.sign(body: Self.body, key: Self.key, algorithm: "HmacMD5")
        }
        do {
            _ = try InternalRequestSignature(
                body: Self.body,
                headers: [("X-Connect-Authorization", "AAAA"), ("X-Connect-Request-Signature-Algorithm", "HmacMD5")]
            )
            Issue.record("an unknown algorithm was accepted")
        } catch {
            #expect(error.kind == .badRequest)
            #expect(error.message == "Algorithm HmacMD5 not available")
        }
    }

    @Test func missingHeadersMeanNoSignatureAndBadBase64IsRefused() throws {
        #expect(try InternalRequestSignature(body: Self.body, headers: []) == nil)
        #expect(try InternalRequestSignature(body: Self.body, headers: [("X-Connect-Authorization", "AAAA")]) == nil)
        #expect(
            try InternalRequestSignature(
                body: Self.body,
                headers: [("X-Connect-Request-Signature-Algorithm", "HmacSHA256")]
            )
                == nil
        )
        #expect(throws: HerderRequestError.self) {
            try InternalRequestSignature(
                body: Self.body,
                headers: [
                    ("X-Connect-Authorization", "not base64!"), ("X-Connect-Request-Signature-Algorithm", "HmacSHA256"),
                ]
            )
        }
    }

    @Test func addingReplacesExistingSignatureHeaders() throws {
        let headers = try InternalRequestSignature.adding(
            to: [("Accept", "application/json"), ("x-connect-authorization", "stale")],
            body: Self.body,
            key: Self.key
        )
        #expect(headers.map(\.name) == ["Accept", "X-Connect-Authorization", "X-Connect-Request-Signature-Algorithm"])
        #expect(headers[1].value == "kJlGdbD4kglXW5idyG8Epk5JQCxX5suNkDcqcqhYa0o=")
    }
}
