// Files that are not safetensors but are often handed to `load`/`load_tensors`
// in their place: PyTorch's `torch.save` output (a zip archive holding
// `data.pkl`, or a bare pickle from older versions and
// `_use_new_zipfile_serialization=False`). They are recognised by their first
// bytes and refused with the one-line conversion, instead of a parser's
// complaint about an absurd header length. Nothing here unpickles anything.
import Foundation

public enum ForeignWeightsFormat: Equatable, Sendable {
    /// A zip archive whose first entry is PyTorch's `…/data.pkl` (torch.save ≥ 1.6).
    case torchZip
    /// Some other zip archive (an `.npz`, or a torch.save archive with an unusual first entry).
    case zip
    /// A pickle stream (protocol 2–5): torch.save's legacy format or `pickle.dump`.
    case pickle

    /// The conversion every refusal gives, one line of Python.
    public static let conversion = "safetensors.torch.save_file(torch.load(p), \"x.safetensors\")"

    /// Recognises `data` by its first bytes; nil when it may be safetensors.
    /// A safetensors file has `{` right after its 8-byte header length, so a
    /// header length that happens to start with these bytes is not mistaken.
    public static func sniff(_ data: Data) -> ForeignWeightsFormat? {
        let head = [UInt8](data.prefix(64))
        guard head.count >= 2 else { return nil }
        if head.count > 8 && head[8] == UInt8(ascii: "{") { return nil }
        if head.count >= 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04 {
            // Local file header: name length at 26 (u16 LE), name from 30.
            if head.count >= 30 {
                let n = Int(head[26]) | Int(head[27]) << 8
                let name = [UInt8](data.prefix(30 + min(n, 512)).dropFirst(30))
                if let s = String(bytes: name, encoding: .utf8), s.hasSuffix("data.pkl") || s.hasSuffix(".data/version") || s.hasSuffix("/byteorder") {
                    return .torchZip
                }
            }
            return .zip
        }
        if head[0] == 0x80 && (2...5).contains(head[1]) { return .pickle }
        return nil
    }

    /// Why the file is refused and how to convert it.
    public var explanation: String {
        let convert = "convert it once in Python with \(ForeignWeightsFormat.conversion) "
            + "(when torch.load gives a dict such as {\"model\": state_dict}, save that entry)"
        switch self {
        case .torchZip:
            return "this is a PyTorch checkpoint written by torch.save (a zip archive), not a safetensors file; " + convert
        case .zip:
            return "this is a zip archive (a torch.save checkpoint or an .npz), not a safetensors file; if it is PyTorch's, " + convert
        case .pickle:
            return "this is a Python pickle (torch.save's older format), not a safetensors file; Kymo never unpickles files; " + convert
        }
    }
}
