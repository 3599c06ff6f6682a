// StringEscapes: the escape sequences of Kymo string literals, in one table
// that the scanner reads them with and the value formatter writes them with,
// so a printed string always reads back as the same string.
// (Safetensors headers are JSON and escape by JSON's rules, in TensorEngine.)

public enum StringEscapes {
    /// (the character, the letter after the backslash)
    public static let table: [(scalar: Unicode.Scalar, letter: Unicode.Scalar)] = [
        ("\n", "n"), ("\t", "t"), ("\r", "r"), ("\0", "0"), ("\\", "\\"), ("\"", "\""),
    ]

    /// The letter that escapes `scalar` (nil: written as itself).
    public static func letter(for scalar: Unicode.Scalar) -> Unicode.Scalar? {
        table.first { $0.scalar == scalar }?.letter
    }

    /// The character `\letter` stands for (nil: not an escape).
    public static func scalar(for letter: Unicode.Scalar) -> Unicode.Scalar? {
        table.first { $0.letter == letter }?.scalar
    }
}
