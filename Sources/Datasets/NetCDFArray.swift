// NetCDFArray: one variable of a NetCDF file (`.nc`, classic or netCDF-4),
// read by hyperslab (nc_get_vara, in the stored type) and converted by
// `convertToFloat` exactly as an .npy. No attribute is applied: scale_factor,
// add_offset and _FillValue are not (values as they are; say so in the
// docs). The file stays open while the reader lives. Every call into the
// library holds ArrayReaders.libraryLock (netCDF-4 reads through HDF5).
import CNetCDF
import Foundation
import TensorEngine

public final class NetCDFArray: ArrayReader, @unchecked Sendable {
    public let name: String
    public let shape: [Int]
    public let dtypeName: String
    /// The dimension names, in order (e.g. ["time", "y", "x"]).
    public let dimensions: [String]
    let dtype: NPYDType
    private let ncid: Int32, varid: Int32

    static func message(_ status: Int32) -> String { String(cString: nc_strerror(status)) }

    public init(path: String, variable: String) throws {
        name = "\(path):\(variable)"
        ArrayReaders.libraryLock.lock()
        defer { ArrayReaders.libraryLock.unlock() }
        var id: Int32 = 0
        let opened = nc_open(path, NC_NOWRITE, &id)
        guard opened == NC_NOERR else {
            throw TensorError.badFile(path: path, detail: "is not a NetCDF file NetCDF can open (\(NetCDFArray.message(opened)))")
        }
        var v: Int32 = 0
        guard nc_inq_varid(id, variable, &v) == NC_NOERR else {
            let names = NetCDFArray.variableNames(id)
            nc_close(id)
            throw TensorError.badFile(path: path, detail: "has no variable \"\(variable)\"; its variables are \(names.isEmpty ? "none" : names.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        var xtype: nc_type = 0, ndims: Int32 = 0
        nc_inq_vartype(id, v, &xtype)
        nc_inq_varndims(id, v, &ndims)
        var dimids = [Int32](repeating: 0, count: Int(max(ndims, 1)))
        nc_inq_vardimid(id, v, &dimids)
        var shape: [Int] = [], dims: [String] = []
        for k in 0..<Int(ndims) {
            var len = 0
            nc_inq_dimlen(id, dimids[k], &len)
            shape.append(len)
            var buf = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            nc_inq_dimname(id, dimids[k], &buf)
            dims.append(String(cString: buf))
        }
        let dt: NPYDType?
        switch xtype {
        case nc_type(NC_UBYTE): dt = NPYDType(kind: "u", size: 1, bigEndian: false)
        case nc_type(NC_BYTE): dt = NPYDType(kind: "i", size: 1, bigEndian: false)
        case nc_type(NC_SHORT): dt = NPYDType(kind: "i", size: 2, bigEndian: false)
        case nc_type(NC_USHORT): dt = NPYDType(kind: "u", size: 2, bigEndian: false)
        case nc_type(NC_INT): dt = NPYDType(kind: "i", size: 4, bigEndian: false)
        case nc_type(NC_UINT): dt = NPYDType(kind: "u", size: 4, bigEndian: false)
        case nc_type(NC_INT64): dt = NPYDType(kind: "i", size: 8, bigEndian: false)
        case nc_type(NC_FLOAT): dt = NPYDType(kind: "f", size: 4, bigEndian: false)
        case nc_type(NC_DOUBLE): dt = NPYDType(kind: "f", size: 8, bigEndian: false)
        default: dt = nil
        }
        let dtName = dt?.numpyName ?? "a non-numeric type"
        do { try ArrayReaders.checkType(dtName, name: "\(path):\(variable)", shape: shape) } catch {
            nc_close(id)
            throw error
        }
        ncid = id; varid = v; dtype = dt!; dtypeName = dtName; self.shape = shape; dimensions = dims
    }

    deinit {
        ArrayReaders.libraryLock.lock()
        nc_close(ncid)
        ArrayReaders.libraryLock.unlock()
    }

    public func readBlock(start: [Int], count: [Int], into dst: UnsafeMutablePointer<Float>) throws {
        let n = count.reduce(1, *)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(n * dtype.size, 1), alignment: 16)
        defer { raw.deallocate() }
        ArrayReaders.libraryLock.lock()
        let status = nc_get_vara(ncid, varid, start, count, raw)
        ArrayReaders.libraryLock.unlock()
        guard status == NC_NOERR else {
            throw TensorError.badFile(path: name, detail: "NetCDF could not read the block at \(start) of \(count): \(NetCDFArray.message(status))")
        }
        convertToFloat(raw, dtype: dtype, count: n, into: dst)
    }

    static func variableNames(_ id: Int32) -> [String] {
        var n: Int32 = 0
        nc_inq_nvars(id, &n)
        return (0..<n).map { v in
            var buf = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            nc_inq_varname(id, v, &buf)
            return String(cString: buf)
        }
    }
}
