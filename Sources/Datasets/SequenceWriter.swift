// SequenceWriter: `save_sequences(path, ds, layout:)` — a dataset's sequences
// [N, T, C, H, W] as float32 in the axis order `layout` names (a permutation
// of the five letters, or without N or C when that axis has length 1), to
// `.npy`, `.npz` (one stored member, "<variable>.npy"), `.h5` (dataset
// "/<variable>", or the path it names, groups made) or `.nc` (netCDF-4, variable `variable` with dimensions
// named after the layout letters). Every file is replaced atomically
// (AtomicFile): HDF5 and NetCDF write a temporary file through their library,
// whose bytes then go through AtomicFile, so a failed write never leaves a
// half-written file in place of a good one. No timestamps are stored, so the
// same data gives the same bytes (a replay compares artifacts byte for byte).
import CHDF5
import CNetCDF
import CZlib
import Foundation
import KymoBase
import TensorEngine

public enum SequenceWriter {
    public static let formats = ".npy, .npz, .h5/.hdf5 or .nc"

    /// All sequences of `dataset` as float32 in `layout` order, and that shape.
    public static func array(_ dataset: Dataset, layout text: String) throws -> (values: [Float], shape: [Int]) {
        let full: [Character] = Array("NTCHW")
        let dims = [dataset.count, dataset.frames, dataset.channels, dataset.height, dataset.width]
        let letters = Array(text.uppercased())
        func bad(_ s: String) -> TensorError { .invalidArgument(op: "save_sequences", detail: "layout \"\(text)\": \(s)") }
        guard Set(letters).count == letters.count, letters.allSatisfy({ full.contains($0) }) else {
            throw bad("a layout names each of N T C H W at most once")
        }
        for l in full where !letters.contains(l) {
            let d = dims[full.firstIndex(of: l)!]
            guard (l == "N" || l == "C") && d == 1 else {
                throw bad(l == "N" || l == "C" ? "it leaves out \(l), but the data's \(l) is \(d), not 1" : "it must name T, H and W")
            }
        }
        let shape = letters.map { dims[full.firstIndex(of: $0)!] }
        var strides = [Int](repeating: 0, count: 5)      // output stride of each NTCHW axis
        var acc = 1
        for (k, l) in letters.enumerated().reversed() { strides[full.firstIndex(of: l)!] = acc; acc *= shape[k] }
        var out = [Float](repeating: 0, count: dims.reduce(1, *))
        let seq = Tensor(uninitialized: dataset.sequenceShape)
        let (T, C, H, W) = (dims[1], dims[2], dims[3], dims[4])
        seq.withMutableData { s in
            for n in 0..<dims[0] {
                dataset.source.write(sequence: n, into: s.baseAddress!)
                var i = 0
                for t in 0..<T { for c in 0..<C { for y in 0..<H { for x in 0..<W {
                    out[n * strides[0] + t * strides[1] + c * strides[2] + y * strides[3] + x * strides[4]] = s[i]
                    i += 1
                } } } }
            }
        }
        return (out, shape)
    }

    /// Writes `dataset` to `path` (format by extension). `variable` names the
    /// array in .npz/.h5/.nc files; `layout` the axis order.
    public static func write(_ dataset: Dataset, to path: String, layout: String = "NTCHW", variable: String = "sequences") throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ["npy", "npz", "h5", "hdf5", "nc"].contains(ext) else {
            throw TensorError.badFile(path: path, detail: "has the extension \"\(ext)\"; save_sequences writes \(formats)")
        }
        if ext == "npy", variable != "sequences" {
            throw TensorError.badFile(path: path, detail: "an .npy file holds one unnamed array; variable \"\(variable)\" does not apply")
        }
        // HDF5 takes a dataset path, as load_sequences reads one ("/radar/field":
        // its groups are made); the other formats a plain name.
        let hdf5 = ext == "h5" || ext == "hdf5"
        let parts = variable.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let pathParts = hdf5 && variable.hasPrefix("/") ? Array(parts.dropFirst()) : parts
        guard !pathParts.isEmpty, pathParts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }), hdf5 || pathParts.count == 1 else {
            throw TensorError.invalidArgument(op: "save_sequences", detail: hdf5
                ? "variable \"\(variable)\" must be a dataset name or path such as \"/radar/field\""
                : "variable \"\(variable)\" must be a plain name (a path like \"/group/name\" is for .h5 files)")
        }
        let (values, shape) = try array(dataset, layout: layout)
        let axes = Array(layout.uppercased()).map(String.init)
        let bytes: [UInt8]
        switch ext {
        case "npy": bytes = NPY.encode(shape: shape, float32: values)
        case "npz": bytes = zipStored(name: variable + ".npy", data: NPY.encode(shape: shape, float32: values))
        case "nc": bytes = try viaTemporaryFile(path) { try writeNetCDF($0, values: values, shape: shape, axes: axes, variable: variable) }
        default: bytes = try viaTemporaryFile(path) { try writeHDF5($0, values: values, shape: shape, path: pathParts) }
        }
        try DataFile.write(bytes, to: path)
    }

    /// A zip archive of one stored member, as numpy's savez writes (no zip64: sizes < 4 GiB).
    static func zipStored(name: String, data: [UInt8]) -> [UInt8] {
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let nameBytes = Array(name.utf8)
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let size = UInt32(data.count)
        // version 2.0, no flags, stored, time/date 1980-01-01 00:00
        let common = le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(size) + le32(size) + le16(nameBytes.count) + le16(0)
        let local = le32(0x04034b50) + common + nameBytes
        let central = le32(0x02014b50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(0) + nameBytes
        let cdOffset = UInt32(local.count + data.count)
        let end = le32(0x06054b50) + le16(0) + le16(0) + le16(1) + le16(1) + le32(UInt32(central.count)) + le32(cdOffset) + le16(0)
        return local + data + central + end
    }

    /// Lets a library write a temporary file beside `path`, returns its bytes and removes it.
    static func viaTemporaryFile(_ path: String, _ body: (String) throws -> Void) throws -> [UInt8] {
        let folder = (path as NSString).deletingLastPathComponent
        let temp = (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).lib-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(temp) }
        try body(temp)
        return try DataFile.readRaw(temp)
    }

    /// `path`: the dataset's name, after the groups (made here) that hold it.
    static func writeHDF5(_ file: String, values: [Float], shape: [Int], path: [String]) throws {
        let variable = "/" + path.joined(separator: "/")
        ArrayReaders.libraryLock.lock()
        defer { ArrayReaders.libraryLock.unlock() }
        kymo_h5_quiet()
        let f = H5Fcreate(file, kymo_h5f_acc_trunc(), kymo_h5p_default(), kymo_h5p_default())
        guard f >= 0 else { throw TensorError.badFile(path: file, detail: "HDF5 could not create it") }
        defer { H5Fclose(f) }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        defer { H5Sclose(space) }
        // No modification times in the object header: the same data gives the same bytes (replays compare them).
        let dcpl = H5Pcreate(kymo_h5p_dataset_create())
        defer { H5Pclose(dcpl) }
        H5Pset_obj_track_times(dcpl, false)
        let gcpl = H5Pcreate(kymo_h5p_group_create())
        defer { H5Pclose(gcpl) }
        H5Pset_obj_track_times(gcpl, false)
        var groups: [hid_t] = []
        defer { for g in groups.reversed() { H5Gclose(g) } }
        for name in path.dropLast() {
            let g = H5Gcreate2(groups.last ?? f, name, kymo_h5p_default(), gcpl, kymo_h5p_default())
            guard g >= 0 else { throw TensorError.badFile(path: file, detail: "HDF5 could not create group \(name) of \(variable)") }
            groups.append(g)
        }
        let d = H5Dcreate2(groups.last ?? f, path.last!, kymo_h5_ieee_f32le(), space, kymo_h5p_default(), dcpl, kymo_h5p_default())
        guard d >= 0 else { throw TensorError.badFile(path: file, detail: "HDF5 could not create dataset \(variable)") }
        defer { H5Dclose(d) }
        let status = values.withUnsafeBufferPointer { H5Dwrite(d, kymo_h5_native_float(), kymo_h5s_all(), kymo_h5s_all(), kymo_h5p_default(), $0.baseAddress) }
        guard status >= 0 else { throw TensorError.badFile(path: file, detail: "HDF5 could not write dataset \(variable)") }
    }

    static func writeNetCDF(_ file: String, values: [Float], shape: [Int], axes: [String], variable: String) throws {
        ArrayReaders.libraryLock.lock()
        defer { ArrayReaders.libraryLock.unlock() }
        func check(_ status: Int32, _ what: String) throws {
            guard status == NC_NOERR else { throw TensorError.badFile(path: file, detail: "NetCDF could not \(what): \(NetCDFArray.message(status))") }
        }
        var id: Int32 = 0
        try check(nc_create(file, NC_CLOBBER | NC_NETCDF4, &id), "create it")
        var closed = false
        defer { if !closed { nc_close(id) } }
        var dimids: [Int32] = []
        let names = ["N": "sequence", "T": "time", "C": "channel", "H": "y", "W": "x"]
        for (a, n) in zip(axes, shape) {
            var d: Int32 = 0
            try check(nc_def_dim(id, names[a] ?? a, n, &d), "define dimension \(a)")
            dimids.append(d)
        }
        var v: Int32 = 0
        try check(nc_def_var(id, variable, nc_type(NC_FLOAT), Int32(dimids.count), dimids, &v), "define variable \(variable)")
        try check(nc_enddef(id), "finish its header")
        try check(values.withUnsafeBufferPointer { nc_put_var_float(id, v, $0.baseAddress) }, "write variable \(variable)")
        closed = true
        try check(nc_close(id), "close it")
    }
}
