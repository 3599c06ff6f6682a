// ValueDigester: the SHA-256 of a Kymo value over a canonical byte form —
// a type tag, then the content: integers and float bit patterns little-endian
// (so NaN payloads and −0 count), strings as length + UTF-8, lists and
// records element by element in order (record keys included), tensors as
// shape + every element's bits. Host values that can say what they hold
// conform to `RecordDigestible`; models and histories are digested through
// the properties the language guarantees (`parameters`: every weight's bits;
// `steps`, `loss`, `validation`), never their timings; any other host value
// by its kind and its printed description.
// Deliberately not: identity (two equal tensors digest alike), timings.

import KymoLanguage
import Foundation
import Records
import TensorEngine
import Datasets

/// A host value whose content a record can digest exactly.
public protocol RecordDigestible {
    /// Feeds the value's content (not its identity or address) into `hasher`.
    func addContent(to hasher: inout RecordHasher)
}

public enum ValueDigester {
    /// SHA-256 (hex) of one value.
    public static func digest(_ value: Value) -> String {
        var h = RecordHasher()
        add(value, to: &h)
        return h.finalize()
    }

    public static func digests(_ values: [(name: String, value: Value)]) -> [ValueDigest] {
        values.map { ValueDigest(name: $0.name, type: $0.value.typeName, sha256: digest($0.value)) }
    }

    /// Feeds `value`'s canonical form into `h`: a preorder walk with an explicit
    /// stack, so however deeply lists nest, no recursion can exhaust the stack.
    /// A list or record on the stack is one entry with the position reached
    /// (never a copy of its elements), and runs of numbers in a list are
    /// hashed in place: a list of 2²⁷ floats costs no extra memory to digest.
    public static func add(_ value: Value, to h: inout RecordHasher) {
        enum Work { case value(Value), key(String), items([Value], Int), fields(Record, Int) }
        var stack: [Work] = [.value(value)]
        while let work = stack.popLast() {
            let v: Value
            switch work {
            case .key(let k): h.add(k); continue
            case .value(let x): v = x
            case .items(let xs, var i):
                // A run of numbers: tag and 8 bytes each, gathered 512 at a time.
                let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 9 * 512, alignment: 8)
                defer { chunk.deallocate() }
                var used = 0
                scalars: while i < xs.count {
                    let tag: UInt8, bits: UInt64
                    switch xs[i] {
                    case .int(let n): (tag, bits) = (0x69, UInt64(bitPattern: Int64(n)))
                    case .float(let f): (tag, bits) = (0x66, f.bitPattern)
                    default: break scalars
                    }
                    chunk[used] = tag
                    chunk.storeBytes(of: bits.littleEndian, toByteOffset: used + 1, as: UInt64.self)
                    used += 9
                    i += 1
                    if used == chunk.count { h.add(UnsafeRawBufferPointer(chunk)); used = 0 }
                }
                if used > 0 { h.add(UnsafeRawBufferPointer(rebasing: chunk[0..<used])) }
                if i < xs.count {
                    stack.append(.items(xs, i + 1))
                    stack.append(.value(xs[i]))
                }
                continue
            case .fields(let r, let i):
                if i < r.count {
                    stack.append(.fields(r, i + 1))
                    stack.append(.value(r.values[i]))
                    stack.append(.key(r.keys[i]))
                }
                continue
            }
            switch v {
            case .int(let i):
                h.add(tag: 0x69)
                h.add(UInt64(bitPattern: Int64(i)))
            case .float(let f):
                h.add(tag: 0x66)
                h.add(f.bitPattern)
            case .string(let s):
                h.add(tag: 0x73)
                h.add(s)
            case .bool(let b):
                h.add(tag: 0x62)
                h.add(tag: b ? 1 : 0)
            case .null:
                h.add(tag: 0x6E)
            case .list(let xs):
                h.add(tag: 0x6C)
                h.add(UInt64(xs.count))
                stack.append(.items(xs, 0))
            case .record(let r):
                h.add(tag: 0x72)
                h.add(UInt64(r.count))
                stack.append(.fields(r, 0))
            case let .range(lo, hi):
                h.add(tag: 0x67)
                h.add(UInt64(bitPattern: Int64(lo)))
                h.add(UInt64(bitPattern: Int64(hi)))
            case .function(let f):
                h.add(tag: 0x46)
                h.add(f.name)
                h.add(tag: f.isBuiltin ? 1 : 0)
            case .host(let object):
                h.add(tag: 0x68)
                h.add(object.kindName)
                if let d = object as? RecordDigestible {
                    d.addContent(to: &h)
                } else if let names = contentProperties[object.kindName] {
                    for name in names {
                        h.add(name)
                        if let p = (try? object.property(name)) ?? nil { add(p, to: &h) } else { h.add(tag: 0x6E) }
                    }
                } else {
                    h.add(object.describe(indent: 0))
                }
            }
        }
    }

    /// Host kinds digested by these properties (BuiltinCatalog's contract).
    static let contentProperties: [String: [String]] = [
        "model": ["parameters"],
        "history": ["steps", "loss", "validation"],
    ]

    /// Shape, then every element's bit pattern in logical (row-major) order.
    public static func add(_ tensor: Tensor, to h: inout RecordHasher) {
        h.add(UInt64(tensor.shape.count))
        for d in tensor.shape { h.add(UInt64(d)) }
        let values = tensor.toArray()
        values.withUnsafeBytes { h.add($0) }
    }
}

extension TensorValue: RecordDigestible {
    public func addContent(to hasher: inout RecordHasher) {
        ValueDigester.add(tensor, to: &hasher)
    }
}

/// A dataset by what it holds, never where it was read from: generated Moving
/// MNIST by its digits' pixels and labels, the generator's settings, its
/// random stream and count; a file-backed dataset by the file's SHA-256 and
/// shape; sequences from a tensor by the tensor.
extension DatasetValue: RecordDigestible {
    public func addContent(to h: inout RecordHasher) {
        h.add(UInt64(dataset.count))
        for d in dataset.sequenceShape { h.add(UInt64(d)) }
        addSource(dataset.source, to: &h)
    }

    /// A source by what it holds; a part of a split and a normalized dataset by
    /// their indices and statistics, then what they are made from.
    private func addSource(_ source: any SequenceSource, to h: inout RecordHasher) {
        switch source {
        case let g as MovingMNISTGenerator:
            h.add("moving_mnist")
            h.add(UInt64(g.digitSet.rows)); h.add(UInt64(g.digitSet.columns)); h.add(UInt64(g.digitSet.count))
            g.digitSet.pixels.withUnsafeBytes { h.add($0) }
            g.digitSet.labels.withUnsafeBytes { h.add($0) }
            h.add(UInt64(g.config.frames)); h.add(UInt64(g.config.size)); h.add(UInt64(g.config.digits))
            h.add(g.config.step.bitPattern); h.add(g.config.overlap.rawValue)
            h.add(g.stream.key); h.add(g.stream.position)
        case let a as ArraySequences:
            // the file by content, and how it is read: variable, layout, windows
            h.add("array_file")
            h.add(contentSHA256 ?? "")
            h.add(a.variable ?? ""); h.add(a.layout.description)
            h.add(UInt64(a.frames)); h.add(UInt64(a.stride))
        case let s as SubsetSequences:
            h.add("subset")
            h.add(UInt64(s.indices.count))
            for i in s.indices { h.add(UInt64(i)) }
            addSource(s.base, to: &h)
        case let n as NormalizedSequences:
            h.add("normalized")
            h.add(n.normalization.kind.rawValue)
            for v in n.normalization.offset + n.normalization.scale { h.add(v.bitPattern) }
            addSource(n.base, to: &h)
        case let t as TensorSequences:
            h.add("tensor")
            ValueDigester.add(t.tensor, to: &h)
        default:
            if let sha = contentSHA256 {
                h.add("file")
                h.add(sha)
            } else {
                h.add(describe(indent: 0))
            }
        }
    }
}
