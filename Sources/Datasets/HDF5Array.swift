// HDF5Array: one dataset of an HDF5 file (`.h5`/`.hdf5`), named by its path
// ("/radar/field"), read by hyperslab: `readBlock` selects the block in the
// file and reads only it, in the stored element type (the library's native
// memory type of the same class and size), which `convertToFloat` then turns
// to Float exactly as for an .npy. The file stays open while the reader lives.
// Every call into the library holds ArrayReaders.libraryLock.
import CHDF5
import Foundation
import TensorEngine

public final class HDF5Array: ArrayReader, @unchecked Sendable {
    public let name: String
    public let shape: [Int]
    public let dtypeName: String
    let dtype: NPYDType
    private let file: hid_t, dataset: hid_t, memType: hid_t

    public init(path: String, variable: String) throws {
        name = "\(path):\(variable)"
        ArrayReaders.libraryLock.lock()
        defer { ArrayReaders.libraryLock.unlock() }
        kymo_h5_quiet()
        guard H5Fis_hdf5(path) > 0 else {
            throw TensorError.badFile(path: path, detail: "is not an HDF5 file (its signature is missing), though its name ends in .\((path as NSString).pathExtension)")
        }
        let f = H5Fopen(path, kymo_h5f_acc_rdonly(), kymo_h5p_default())
        guard f >= 0 else { throw TensorError.badFile(path: path, detail: "HDF5 could not open it") }
        guard H5Lexists(f, variable, kymo_h5p_default()) > 0 || variable == "/" else {
            let names = HDF5Array.datasetNames(f)
            H5Fclose(f)
            throw TensorError.badFile(path: path, detail: "has no dataset \"\(variable)\"; its datasets are \(names.isEmpty ? "none" : names.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        let d = H5Dopen2(f, variable, kymo_h5p_default())
        guard d >= 0 else {
            H5Fclose(f)
            throw TensorError.badFile(path: path, detail: "\"\(variable)\" is not a dataset (a group?)")
        }
        let space = H5Dget_space(d)
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        H5Sclose(space)
        let t = H5Dget_type(d)
        let cls = H5Tget_class(t), size = Int(H5Tget_size(t)), sign = H5Tget_sign(t)
        H5Tclose(t)
        let shape = (0..<rank).map { Int(dims[$0]) }
        var kind: Character = "?"
        switch cls {
        case H5T_INTEGER: kind = sign == H5T_SGN_NONE ? "u" : "i"
        case H5T_FLOAT: kind = "f"
        default: break
        }
        let dt = NPYDType(kind: kind, size: size, bigEndian: false)
        let dtName = kind == "?" ? "a non-numeric type" : dt.numpyName
        do {
            try ArrayReaders.checkType(dtName, name: "\(path):\(variable)", shape: shape)
        } catch {
            H5Dclose(d); H5Fclose(f)
            throw error
        }
        switch dtName {
        case "uint8": memType = kymo_h5_native_uchar()
        case "int16": memType = kymo_h5_native_short()
        case "int32": memType = kymo_h5_native_int()
        case "float32": memType = kymo_h5_native_float()
        default: memType = kymo_h5_native_double()
        }
        file = f; dataset = d; dtype = dt; dtypeName = dtName; self.shape = shape
    }

    deinit {
        ArrayReaders.libraryLock.lock()
        H5Dclose(dataset); H5Fclose(file)
        ArrayReaders.libraryLock.unlock()
    }

    public func readBlock(start: [Int], count: [Int], into dst: UnsafeMutablePointer<Float>) throws {
        let n = count.reduce(1, *)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(n * dtype.size, 1), alignment: 16)
        defer { raw.deallocate() }
        ArrayReaders.libraryLock.lock()
        let status: herr_t = {
            defer { ArrayReaders.libraryLock.unlock() }
            let fileSpace = H5Dget_space(dataset)
            defer { H5Sclose(fileSpace) }
            var s = start.map { hsize_t($0) }, c = count.map { hsize_t($0) }
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &s, nil, &c, nil) >= 0 else { return -1 }
            let memSpace = H5Screate_simple(Int32(c.count), &c, nil)
            defer { H5Sclose(memSpace) }
            return H5Dread(dataset, memType, memSpace, fileSpace, kymo_h5p_default(), raw)
        }()
        guard status >= 0 else {
            throw TensorError.badFile(path: name, detail: "HDF5 could not read the block at \(start) of \(count) (a damaged file?)")
        }
        convertToFloat(raw, dtype: dtype, count: n, into: dst)
    }

    /// Paths of the datasets in the file (for the "no such variable" message).
    static func datasetNames(_ f: hid_t) -> [String] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let box = Unmanaged.passUnretained(names).toOpaque()
        H5Lvisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, { group, name, _, data in
            guard let name, let data else { return 0 }
            let d = H5Dopen2(group, name, kymo_h5p_default())
            if d >= 0 {
                H5Dclose(d)
                Unmanaged<Names>.fromOpaque(data).takeUnretainedValue().list.append("/" + String(cString: name))
            }
            return 0
        }, box)
        return names.list
    }
}
