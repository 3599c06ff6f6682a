// CRC32: the two cyclic redundancy checks Kymo writes into files itself —
// CRC-32 (ISO-HDLC, as PNG and zlib use) and CRC-32C (Castagnoli, as
// TFRecord framing uses, with TensorFlow's mask). Table-driven, byte at a time.

public enum CRC32 {
    private static func table(_ polynomial: UInt32) -> [UInt32] {
        (0..<256).map { i -> UInt32 in
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? polynomial ^ (c >> 1) : c >> 1 }
            return c
        }
    }
    private static let ieeeTable = table(0xEDB8_8320)
    private static let castagnoliTable = table(0x82F6_3B78)

    private static func run(_ t: [UInt32], _ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// CRC-32 of PNG chunks and gzip.
    public static func ieee(_ bytes: some Sequence<UInt8>) -> UInt32 { run(ieeeTable, bytes) }

    /// CRC-32C (Castagnoli).
    public static func castagnoli(_ bytes: some Sequence<UInt8>) -> UInt32 { run(castagnoliTable, bytes) }

    /// TFRecord's masked CRC-32C: rotate right by 15 and add 0xa282ead8.
    public static func maskedCastagnoli(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let c = castagnoli(bytes)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
