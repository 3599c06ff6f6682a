// SequenceFiles: `load_sequences(path, layout:, variable:, frames:, stride:)`
// — the reader chosen by the path's extension (.npy, .npz, .h5/.hdf5, .nc)
// or a folder of PNG frames, then ArraySequences with the layout and
// windows. Floating-point files are scanned once for NaN (series by series).
// `variable` names the array: an .npz member (default: the only one), an
// HDF5 dataset path, a NetCDF variable (both required when the file holds
// several); it is refused for .npy files and PNG folders.
import Foundation
import TensorEngine

public enum SequenceFiles {
    /// The extensions load_sequences reads, as the error lists them.
    public static let formats = ".npy, .npz, .h5/.hdf5, .nc or a folder of .png frames"

    /// The reader for `path` (a file or a PNG folder) and `variable`.
    public static func reader(path: String, variable: String?) throws -> any ArrayReader {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TensorError.badFile(path: path, detail: "no such file or folder")
        }
        func noVariable(_ what: String) throws {
            if let v = variable { throw TensorError.badFile(path: path, detail: "\(what) holds one array; variable \"\(v)\" does not apply") }
        }
        if isDirectory.boolValue {
            try noVariable("a folder of PNG frames")
            return try PNGFrames(folder: path)
        }
        switch (path as NSString).pathExtension.lowercased() {
        case "npy":
            try noVariable("an .npy file")
            let a = try NPYArray(path: path)
            try ArrayReaders.checkType(a.dtypeName, name: path, shape: a.shape)
            return a
        case "npz":
            let z = try NPZArchive(path: path)
            guard let v = variable ?? (z.members.count == 1 ? z.variables[0] : nil) else {
                throw TensorError.badFile(path: path, detail: "holds \(z.members.count) arrays (\(z.variables.map { "\"\($0)\"" }.joined(separator: ", "))); say which with variable: \"…\"")
            }
            let a = try z.array(v)
            try ArrayReaders.checkType(a.dtypeName, name: a.name, shape: a.shape)
            return a
        case "h5", "hdf5":
            guard let v = variable else { throw TensorError.badFile(path: path, detail: "an HDF5 file needs variable: \"/path/to/dataset\"") }
            return try HDF5Array(path: path, variable: v)
        case "nc":
            guard let v = variable else { throw TensorError.badFile(path: path, detail: "a NetCDF file needs variable: \"name\"") }
            return try NetCDFArray(path: path, variable: v)
        case let ext:
            throw TensorError.badFile(path: path, detail: "has the extension \"\(ext)\"; load_sequences reads \(formats)")
        }
    }

    /// The dataset of `path` (NaN-checked); `label` names it in the summary;
    /// `pngFrames`: the frames of a PNG folder given file by file (a replay).
    public static func load(path: String, layout: String = "NTCHW", variable: String? = nil, frames: Int? = nil,
                            stride: Int? = nil, label: String? = nil, pngFrames: [String]? = nil) throws -> (dataset: Dataset, source: ArraySequences) {
        let r: any ArrayReader
        if let pngFrames {
            guard variable == nil else { throw TensorError.badFile(path: path, detail: "a folder of PNG frames holds one array; variable \"\(variable!)\" does not apply") }
            r = try PNGFrames(name: path, files: pngFrames)
        } else {
            r = try reader(path: path, variable: variable)
        }
        // A PNG folder is one series [T, C, H, W]; the default layout means just that.
        let text = r is PNGFrames && layout == "NTCHW" ? "TCHW" : layout
        let s = try ArraySequences(reader: r, layout: text, variable: variable, frames: frames, stride: stride, label: label)
        if r.dtypeName.hasPrefix("float") { try s.checkFinite() }
        return (Dataset(s), s)
    }
}
